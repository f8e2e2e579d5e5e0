"""File downloads: the one place every generated document, export and stored file leaves
the platform. Each call checks the download rate limit (lib.ratelimit), writes one audit
entry (action "download": who, what file, which record) and sets one Content-Disposition.
Pages and API routes alike call `attachment_response` (bytes) or `stored_file_response`
(an uploaded file), so no download goes unaudited."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.db import models
from django.http import FileResponse, Http404, HttpResponse

from zhongxinzu.audit.services import audit_record


def _names(filename: str) -> tuple[str, str]:
    filename = filename.replace("/", "_").replace("\\", "_").replace('"', "")
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return filename, fallback


def _disposition(filename: str) -> str:
    """The Chinese file name travels RFC 5987-encoded, with an ASCII fallback."""
    filename, fallback = _names(filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _audit(
    request,
    *,
    filename: str,
    obj,
    size: int | None,
    detail: dict | None,
    action: str,
    object_type: str = "",
) -> None:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    audit_record(
        actor=user,
        action=action,
        obj=obj if isinstance(obj, models.Model) else None,
        object_type=object_type,
        detail={
            "file": filename,
            **({"bytes": size} if size is not None else {}),
            **(detail or {}),
        },
    )


def _refused(request):
    from zhongxinzu.lib.ratelimit import download_refused

    return download_refused(request)


def attachment_response(
    request,
    filename: str,
    data: bytes,
    *,
    content_type: str,
    suffix: str,
    obj: models.Model | None = None,
    detail: dict | None = None,
    action: str = "download",
    object_type: str = "",
):
    """A generated document or export as an attachment, rate-limited and audited (`action`:
    "export" for data exports, "document" for generated documents, else "download")."""
    if not filename.lower().endswith(suffix):
        filename += suffix
    if refused := _refused(request):
        return refused
    name = _names(filename)[0]
    _audit(
        request,
        filename=name,
        obj=obj,
        size=len(data),
        detail=detail,
        action=action,
        object_type=object_type,
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = _disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


def stored_file_response(
    request, field, filename: str, *, obj: models.Model, content_type: str | None = None
):
    """An uploaded file (a FileField's file) as an attachment, rate-limited and audited;
    404 when the record has no file or the file is gone."""
    if not field:
        raise Http404("文件不存在")
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在") from None
    if refused := _refused(request):
        handle.close()
        return refused
    _audit(
        request, filename=_names(filename)[0], obj=obj, size=None, detail=None, action="download"
    )
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = _disposition(filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
