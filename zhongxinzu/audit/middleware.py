import uuid

from zhongxinzu.audit import context


def client_ip(request) -> str | None:
    # axes resolves the client IP with the configured proxy count; reuse its answer.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and exposes IP + id to audit_record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = context.set_current(
            context.RequestContext(client_ip=client_ip(request), request_id=request.request_id)
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
