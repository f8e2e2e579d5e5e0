"""Small helpers shared by the routers."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from zhongxinzu.api.errors import FieldError
from zhongxinzu.api.schemas import ErrorOut, PageParams
from zhongxinzu.org.selectors import members_in_year  # noqa: F401  (the routers' import)

# Documented on every operation that needs a caller.
ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


def page(qs: QuerySet, params: PageParams, rows: Callable[[list], Iterable[dict]]) -> dict:
    """One page of `qs` as {"items": [...], "count": n}: two queries whatever the size."""
    count = qs.count()
    items = list(qs[params.offset : params.offset + params.limit]) if count > params.offset else []
    return {"items": list(rows(items)), "count": count}


def body_ref(qs: QuerySet, pk: int, field: str, message: str):
    """The record `pk` of `qs` named by `field` of the request body, or a 400 on it."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise FieldError(field, message)
    return obj


def changed_fields(payload) -> dict:
    """The fields the client sent (PATCH semantics)."""
    return payload.model_dump(exclude_unset=True)


def person_name(user) -> str:
    """How a user who acted on a record is shown: the full name, else the username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def file_operation(content_type: str, description: str) -> dict:
    """openapi_extra for an operation answering with a file download."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }
