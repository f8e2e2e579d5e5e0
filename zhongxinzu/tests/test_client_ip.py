from django.test import RequestFactory, override_settings

from zhongxinzu.audit.middleware import resolve_client_ip


def request_from(remote, forwarded):
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


def test_forwarded_header_is_ignored_unless_it_comes_from_a_trusted_proxy():
    assert resolve_client_ip(request_from("10.0.0.9", "1.2.3.4")) == "10.0.0.9"


@override_settings(TRUSTED_PROXIES={"127.0.0.1"})
def test_behind_the_trusted_proxy_the_forwarded_client_address_is_used():
    assert resolve_client_ip(request_from("127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert resolve_client_ip(request_from("127.0.0.1", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert resolve_client_ip(request_from("127.0.0.1", "not-an-ip")) == "127.0.0.1"
