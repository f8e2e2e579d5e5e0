"""File downloads: one Content-Disposition for every generated document and export."""

from urllib.parse import quote

from django.http import HttpResponse


def attachment_response(filename: str, data: bytes, *, content_type: str, suffix: str):
    """An attachment download; the Chinese file name travels RFC 5987-encoded, with an ASCII
    fallback for old clients."""
    if not filename.lower().endswith(suffix):
        filename += suffix
    filename = filename.replace("/", "_").replace("\\", "_").replace('"', "")
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response
