import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhongxinzu.accounts.models import User
from zhongxinzu.accounts.tests.helpers import password_login
from zhongxinzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
NEW = {
    "username": "zhangsan",
    "full_name": "张三",
    "password": "Init#Pass2026",
    "password2": "Init#Pass2026",
}


@pytest.fixture
def sys_admin(world):
    return world.login(Client(), "sys_admin")


def test_list_and_search(world, sys_admin):
    page = sys_admin.get(reverse("accounts:user_list")).content.decode()
    assert "secretary" in page and "observer" in page
    page = sys_admin.get(reverse("accounts:user_list"), {"q": "secre"}).content.decode()
    assert "secretary" in page and "observer" not in page


def test_list_query_count_does_not_grow(world, sys_admin):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert sys_admin.get(reverse("accounts:user_list")).status_code == 200
        return len(ctx)

    small = count()
    for n in range(6):
        person = world.people["own"].__class__.objects.create(
            unit=world.units["own"], name=f"人{n}", gender="男"
        )
        User.objects.create_user(f"extra{n}", person=person)
    assert count() == small


def test_create_account_with_temporary_password(world, sys_admin, client):
    response = sys_admin.post(reverse("accounts:user_create"), NEW)
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.first_name == "张三" and user.person is None
    assert user.password_changed_at is None and not user.grants.exists()
    entry = AuditEntry.objects.get(action="create", object_type="accounts.User")
    assert entry.username == "sys_admin" and "Init#Pass2026" not in str(entry.detail)
    password_login(client, "zhangsan", "Init#Pass2026")
    assert client.get("/")["Location"].startswith(reverse("accounts:password_change"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "short", "password2": "short"}, "密码太短"),
        ({"username": "member"}, "已被使用"),
        ({"username": "bad name!"}, "用户名只能包含"),
        ({"person_id": 999999}, "不存在"),
    ],
)
def test_create_rejects_bad_input(world, sys_admin, data, message):
    response = sys_admin.post(reverse("accounts:user_create"), {**NEW, **data})
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_person_can_be_linked_to_one_account_only(world, sys_admin):
    linked = world.users["member"].person
    response = sys_admin.post(reverse("accounts:user_create"), {**NEW, "person_id": linked.pk})
    assert "已关联账号“member”" in response.content.decode()


def test_edit_name_but_not_the_person_link(world, sys_admin):
    """A person link grants roster roles: the system admin may rename, not link (§5a)."""
    observer = world.users["observer"]
    response = sys_admin.post(
        reverse("accounts:user_edit", args=[observer.pk]),
        {"full_name": "王专家", "person_id": world.people["sibling"].pk},
    )
    assert response.status_code == 200 and "须由安全管理员办理" in response.content.decode()
    observer.refresh_from_db()
    assert observer.person != world.people["sibling"]
    response = sys_admin.post(
        reverse("accounts:user_edit", args=[observer.pk]),
        {"full_name": "王专家", "person_id": observer.person_id or ""},
    )
    assert response.status_code == 302
    observer.refresh_from_db()
    assert observer.first_name == "王专家"


def test_admin_account_cannot_be_linked_to_a_person(world, sys_admin):
    target = world.users["audit_admin"]
    response = sys_admin.post(
        reverse("accounts:user_edit", args=[target.pk]),
        {"full_name": "审计", "person_id": world.people["sibling"].pk},
    )
    assert "三员分立" in response.content.decode()
    target.refresh_from_db()
    assert target.person is None


def test_deactivation_ends_sessions_at_once(world, sys_admin):
    member = Client()
    password_login(member, "member")
    assert not member.get("/")["Location"].startswith("/accounts/login")
    target = world.users["member"]
    sys_admin.post(reverse("accounts:user_set_active", args=[target.pk]), {"active": "0"})
    from django.contrib.sessions.models import Session

    assert not any(
        s.get_decoded().get("_auth_user_id") == str(target.pk) for s in Session.objects.all()
    )
    assert member.get("/")["Location"].startswith("/accounts/login")
    assert password_login(Client(), "member").status_code == 200  # refused
    assert AuditEntry.objects.get(action="deactivate").detail["sessions_ended"] == 1
    sys_admin.post(reverse("accounts:user_set_active", args=[target.pk]), {"active": "1"})
    assert password_login(Client(), "member").status_code == 302


def test_cannot_deactivate_self(world, sys_admin):
    me = world.users["sys_admin"]
    response = sys_admin.post(
        reverse("accounts:user_set_active", args=[me.pk]), {"active": "0"}, follow=True
    )
    assert "不能停用本人" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_reset_password_kills_sessions_and_forces_change(world, sys_admin):
    member = Client()
    password_login(member, "member")
    target = world.users["member"]
    response = sys_admin.post(
        reverse("accounts:user_reset_password", args=[target.pk]),
        {"password": "Reset#Pass2026", "password2": "Reset#Pass2026"},
    )
    assert response.status_code == 302
    assert member.get("/")["Location"].startswith("/accounts/login")
    target.refresh_from_db()
    assert target.check_password("Reset#Pass2026") and target.password_changed_at is None


def test_reset_password_of_another_admin_is_refused(world, sys_admin):
    target = world.users["sec_admin"]
    response = sys_admin.post(
        reverse("accounts:user_reset_password", args=[target.pk]),
        {"password": "Reset#Pass2026", "password2": "Reset#Pass2026"},
    )
    assert "只能由本人修改" in response.content.decode()


def test_admin_pages_show_no_business_navigation(world, sys_admin):
    page = sys_admin.get(reverse("accounts:user_list")).content.decode()
    assert reverse("org:person_list") not in page
