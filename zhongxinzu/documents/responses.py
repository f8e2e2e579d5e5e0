"""HTTP responses for generated documents (views only set headers)."""

from zhongxinzu.lib.downloads import attachment_response

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(filename: str, data: bytes):
    return attachment_response(filename, data, content_type=DOCX_CONTENT_TYPE, suffix=".docx")
