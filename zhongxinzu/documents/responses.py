"""HTTP responses for generated documents (views only set headers)."""

from zhongxinzu.lib.downloads import attachment_response

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(request, filename: str, data: bytes, **audit):
    """A .docx download, rate-limited and audited (lib.downloads)."""
    return attachment_response(
        request, filename, data, content_type=DOCX_CONTENT_TYPE, suffix=".docx", **audit
    )
