"""The current request's audit context (client IP, request id), set by middleware."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    client_ip: str | None = None
    request_id: str = ""


# RequestContext is a frozen dataclass, so sharing one default instance is safe.
_current = contextvars.ContextVar("audit_request_context", default=RequestContext())  # noqa: B039


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
