"""Optimistic locking: a save that carries a stale version fails with a conflict."""

from django.core.exceptions import ValidationError
from django.db.models import F, Model

CONFLICT_MESSAGE = "该记录已被他人修改，请刷新页面后重新编辑"


class ConflictError(ValidationError):
    pass


def save_versioned(obj: Model, *, expected_version: int | None, fields: list[str]) -> None:
    """Write `fields` of `obj` only if its row still has `expected_version`."""
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
