"""Optimistic locking: a save that carries a stale version fails with a conflict."""

from django.core.exceptions import ValidationError
from django.db.models import F, Model

CONFLICT_MESSAGE = "该记录已被他人修改，请刷新页面后重新编辑"


VERSION_MISSING = "页面缺少版本信息，可能已过期，请刷新页面后重新编辑"


class ConflictError(ValidationError):
    pass


def require_version(value: int | None) -> int:
    """A version a user's request must carry (a form POST, an API PATCH): missing is refused
    rather than read as "whatever the row holds now"."""
    if value is None:
        raise ConflictError(VERSION_MISSING, code="version_missing")
    return value


def save_versioned(obj: Model, *, expected_version: int | None, fields: list[str]) -> None:
    """Write `fields` of `obj` only if its row still has `expected_version`.

    `expected_version=None` means "the version `obj` was read with" and is for the
    services' own follow-up writes only; a user's request goes through `require_version`
    (lib.views.posted_version, lib.forms.ProductForm), so it never reaches here as None."""
    if expected_version is None:
        expected_version = obj.version
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, version=expected_version)
        .update(**{f: getattr(obj, f) for f in fields}, version=F("version") + 1)
    )
    if not updated:
        raise ConflictError(CONFLICT_MESSAGE, code="conflict")
    obj.version = expected_version + 1
