import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone


@pytest.mark.parametrize(
    "role,target",
    [
        ("supervisor", lambda w: reverse("compliance:overview")),
        ("secretary", lambda w: reverse("compliance:group_detail", args=[w.groups["own"].pk])),
        ("leader", lambda w: reverse("compliance:group_detail", args=[w.groups["own"].pk])),
        ("member", lambda w: reverse("meetings:my_study")),
        ("sys_admin", lambda w: reverse("accounts:user_list")),
        ("sec_admin", lambda w: reverse("accounts:grant_list")),
        ("audit_admin", lambda w: reverse("audit:entry_list")),
    ],
)
def test_each_role_lands_on_its_own_start_page(world, role, target):
    response = world.login(Client(), role).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == target(world)


def test_observer_lands_on_their_visits(world):
    response = world.login(Client(), "observer").get(reverse("home"))
    assert response["Location"] == reverse("supervision:my_visits")


def test_account_without_roles_sees_a_plain_welcome(world):
    from zhongxinzu.accounts.models import User

    user = User.objects.create_user("nobody", password="x", password_changed_at=timezone.now())
    client = Client()
    client.force_login(user, backend="zhongxinzu.accounts.backends.PolicyModelBackend")
    response = client.get(reverse("home"))
    assert response.status_code == 200 and "尚未分配业务角色" in response.content.decode()
