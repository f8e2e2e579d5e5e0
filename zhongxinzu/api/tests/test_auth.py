import hashlib
import json
import time
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from zhongxinzu.accounts.models import ApiToken
from zhongxinzu.api.tests.helpers import ApiClient
from zhongxinzu.audit.models import AuditEntry


def obtain(client, username, password):
    return client.post("/api/auth/token", {"username": username, "password": password})


def test_token_for_good_password_is_stored_hashed_and_works(world):
    response = obtain(ApiClient(), "secretary", PASSWORD)
    assert response.status_code == 200, response.content
    body = response.json()
    raw = body["token"]
    stored = ApiToken.objects.get(user=world.users["secretary"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in stored.key_hash
    hours = (stored.expires_at - timezone.now()) / timedelta(hours=1)
    assert 7.9 < hours <= 8
    me = ApiClient(raw).get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == "secretary"
    assert "secretary" in me.json()["roles"]


def test_token_issue_is_audited_without_the_token(world):
    raw = obtain(ApiClient(), "member", PASSWORD).json()["token"]
    entry = AuditEntry.objects.get(action="api_token", outcome="success")
    assert entry.username == "member"
    assert entry.object_type == "accounts.ApiToken"
    assert raw not in json.dumps(entry.detail)
    world.users["member"].refresh_from_db()
    assert world.users["member"].last_login is not None


def test_bad_password_is_refused_in_chinese_and_audited(world):
    response = obtain(ApiClient(), "member", "wrong-password")
    assert response.status_code == 400
    assert response.json()["detail"] == "用户名或密码错误"
    assert not ApiToken.objects.exists()
    entry = AuditEntry.objects.get(action="api_token")
    assert (entry.outcome, entry.username) == ("failure", "member")
    assert entry.detail["reason"] == "bad_credentials"
    assert "wrong-password" not in json.dumps(entry.detail)


def test_lockout_after_five_failures_even_for_the_right_password(world):
    client = ApiClient()
    codes = [obtain(client, "member", f"wrong-{i}").status_code for i in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    response = obtain(client, "member", PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "锁定" in response.json()["detail"]
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action="lockout", username="member").exists()


def test_lockout_counts_with_the_login_page(world):
    # Four failures on the login form and one through the API lock the account.
    web = Client()
    for _ in range(4):
        web.post(reverse("accounts:login"), {"username": "member", "password": "nope"})
    assert obtain(ApiClient(), "member", "nope").status_code == 429


def test_expired_token_is_rejected(world):
    raw = obtain(ApiClient(), "member", PASSWORD).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = ApiClient(raw).get("/api/units")
    assert response.status_code == 401
    assert response.json()["detail"] == "访问令牌已过期，请重新获取"


def test_unknown_token_is_rejected_with_401(world):
    response = ApiClient("not-a-token").get("/api/people")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "登录" in response.json()["detail"]


def test_token_dies_with_a_password_change_or_deactivation(world):
    user = world.users["member"]
    raw = obtain(ApiClient(), "member", PASSWORD).json()["token"]
    user.password_changed_at = timezone.now() + timedelta(seconds=5)
    user.save()
    assert ApiClient(raw).get("/api/units").status_code == 401
    user.password_changed_at = timezone.now() - timedelta(days=1)
    user.is_active = False
    user.save()
    assert ApiClient(raw).get("/api/units").status_code == 401


def test_no_token_for_an_expired_password(world):
    user = world.users["member"]
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save()
    response = obtain(ApiClient(), "member", PASSWORD)
    assert response.status_code == 401
    assert "密码已过期" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def totp_now(device) -> str:
    from django_otp.oath import totp

    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(
        device.digits
    )


def test_accounts_with_a_totp_device_need_the_code(world):
    device = world.devices["sys_admin"]
    missing = obtain(ApiClient(), "sys_admin", PASSWORD)
    assert missing.status_code == 401
    assert missing.json()["field"] == "otp_token"
    wrong = ApiClient().post(
        "/api/auth/token", {"username": "sys_admin", "password": PASSWORD, "otp_token": "000000"}
    )
    assert (wrong.status_code, wrong.json()["field"]) == (400, "otp_token")
    assert not ApiToken.objects.exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    good = ApiClient().post(
        "/api/auth/token",
        {"username": "sys_admin", "password": PASSWORD, "otp_token": totp_now(device)},
    )
    assert good.status_code == 200, good.content


def test_admins_get_tokens_but_no_business_data(world):
    raw = (
        ApiClient()
        .post(
            "/api/auth/token",
            {
                "username": "sys_admin",
                "password": PASSWORD,
                "otp_token": totp_now(world.devices["sys_admin"]),
            },
        )
        .json()["token"]
    )
    client = ApiClient(raw)
    assert client.get("/api/units").json() == {"items": [], "count": 0}
    assert client.get(f"/api/units/{world.units['own'].pk}").status_code == 404


def test_revoke_current_token(world):
    raw = obtain(ApiClient(), "member", PASSWORD).json()["token"]
    client = ApiClient(raw)
    assert client.delete("/api/auth/token").status_code == 204
    assert not ApiToken.objects.exists()
    assert client.get("/api/units").status_code == 401
    assert AuditEntry.objects.filter(action="api_token_revoke", username="member").exists()


def test_revoke_without_a_token_is_a_400(world):
    client = world.login(Client(), "member")
    response = client.delete("/api/auth/token")
    assert response.status_code == 400


def test_anonymous_gets_401_json(world):
    for method, path in [
        ("get", "/api/units"),
        ("post", "/api/people"),
        ("patch", f"/api/groups/{world.groups['own'].pk}"),
    ]:
        response = getattr(ApiClient(), method)(path)
        assert response.status_code == 401, path
        assert response.json()["detail"].startswith("请先登录")


# --- session auth ---------------------------------------------------------------------


def csrf_client(world, role):
    client = world.login(Client(enforce_csrf_checks=True), role)
    client.cookies["csrftoken"] = "a" * 32
    return client


def test_session_reads_need_no_csrf(world):
    client = csrf_client(world, "supervisor")
    response = client.get("/api/units")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_session_writes_need_the_csrf_token(world):
    client = csrf_client(world, "secretary")
    path = f"/api/groups/{world.groups['own'].pk}"
    body = json.dumps({"version": 1, "name": "新名称"})
    refused = client.patch(path, body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "CSRF校验失败，请刷新页面后重试"
    accepted = client.patch(
        path, body, content_type="application/json", headers={"X-CSRFToken": "a" * 32}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["name"] == "新名称"


def test_bearer_writes_need_no_csrf(world, api):
    client = api("secretary")
    client.client = Client(enforce_csrf_checks=True)
    response = client.patch(
        f"/api/groups/{world.groups['own'].pk}", {"version": 1, "name": "新名称"}
    )
    assert response.status_code == 200, response.content


def test_anonymous_unsafe_request_gets_401_not_a_csrf_error(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/units", "{}", content_type="application/json")
    assert response.status_code == 401


def test_session_past_its_absolute_lifetime_is_refused(world, settings):
    client = world.login(Client(), "member")
    session = client.session
    session["login_at"] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/api/units")
    assert response.status_code == 401
    assert response.json()["detail"] == "登录已超时，请重新登录"


def test_session_still_owing_its_totp_code_is_refused(world):
    client = Client()
    client.force_login(world.users["sys_admin"])
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert "动态口令" in response.json()["detail"]
    assert world.login(Client(), "sys_admin").get("/api/auth/me").status_code == 200


# --- the description ------------------------------------------------------------------


def test_openapi_is_served_and_the_cdn_docs_page_is_off(world):
    response = world.login(Client(), "member").get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "中心组学习管理平台 API"
    assert {"BearerAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    assert "cdn" not in response.content.decode().lower()
    assert Client().get("/api/docs").status_code == 404


def test_wrong_method_gets_405_in_json(world, api):
    response = api("supervisor").delete(f"/api/units/{world.units['own'].pk}")
    assert response.status_code == 405
    assert response.json()["detail"] == "不支持该请求方法"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
