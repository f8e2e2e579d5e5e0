"""Helpers shared by views of every app."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form


def role_required(check):
    """Login required, then `check(principal)` must hold, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from zhongxinzu.org.access import principal_of

            if not check(principal_of(request.user)):
                raise PermissionDenied("您的角色无权使用此功能")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def paginate(request, queryset, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (per field where it names one)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def fail(request, error: ValidationError) -> None:
    """Show a service's ValidationError as one error message (for views that redirect)."""
    messages.error(request, "；".join(error.messages))


def year_param(request, default: int | None = None) -> int | None:
    """?year= if it is a plausible year, else `default`."""
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


def posted_version(request) -> int:
    """The optimistic-locking version a form posted. A POST without one (or with garbage)
    is refused: passing None on would overwrite whatever newer edit the row now holds."""
    from zhongxinzu.lib.versioning import require_version

    raw = request.POST.get("version", "")
    return require_version(int(raw) if raw.isdigit() else None)
