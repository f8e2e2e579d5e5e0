"""HTTP responses for generated documents (views only set headers)."""

from urllib.parse import quote

from django.http import HttpResponse

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(filename: str, data: bytes) -> HttpResponse:
    """An attachment download with the Chinese file name RFC 5987-encoded."""
    if not filename.lower().endswith(".docx"):
        filename += ".docx"
    filename = filename.replace("/", "_").replace("\\", "_").replace('"', "")
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response
