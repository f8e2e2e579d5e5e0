import ipaddress
import uuid

from django.conf import settings

from zhongxinzu.audit import context


def resolve_client_ip(request) -> str | None:
    """REMOTE_ADDR, or the last X-Forwarded-For entry when REMOTE_ADDR is a trusted proxy.
    Used by django-axes (AXES_CLIENT_IP_CALLABLE) and the audit log alike."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            return remote
    return remote


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and exposes IP + id to audit_record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = context.set_current(
            context.RequestContext(
                client_ip=resolve_client_ip(request), request_id=request.request_id
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
