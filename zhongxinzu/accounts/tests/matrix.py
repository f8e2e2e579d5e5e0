"""Accounts pages, plus the project-level `home` and `healthz`. The admin pages are not
about a unit, so every relation gets the same answer."""

from zhongxinzu.lib.matrix import DENIED, LOGIN, OK, Page, everyone_else

LOGGED_IN = everyone_else({}, OK)
EVERYONE = {**LOGGED_IN, "anonymous": OK}
SYS_ADMIN = everyone_else({"sys_admin": OK}, DENIED)
SEC_ADMIN = everyone_else({"sec_admin": OK}, DENIED)
NOT_ALLOWED = 405


def _account(world, rel):
    return world.users["member"]


def _grant(world, rel):
    from zhongxinzu.accounts.models import RoleGrant

    return RoleGrant.objects.get(user=world.users["observer"])


def _lockout(world, rel):
    from axes.models import AccessAttempt
    from django.utils import timezone

    return AccessAttempt.objects.get_or_create(
        username="member",
        ip_address="10.0.0.9",
        user_agent="",
        defaults={
            "failures_since_start": 5,
            "attempt_time": timezone.now(),
            "get_data": "",
            "post_data": "",
            "http_accept": "",
            "path_info": "/accounts/login/",
        },
    )[0]


OBJECTS = {"account": _account, "grant": _grant, "lockout": _lockout}

ENTRIES = [
    Page("home", "GET", LOGGED_IN),
    Page("healthz", "GET", EVERYONE),
    Page("accounts:login", "GET", EVERYONE),
    Page("accounts:login", "POST", EVERYONE),  # empty form: shown again with errors
    Page("accounts:logout", "GET", {**everyone_else({}, NOT_ALLOWED), "anonymous": NOT_ALLOWED}),
    # after logging out everyone lands on the login page
    Page("accounts:logout", "POST", everyone_else({}, LOGIN)),
    Page("accounts:password_change", "GET", LOGGED_IN),
    Page("accounts:password_change", "POST", LOGGED_IN, data={"old_password": "x"}),
    Page("accounts:otp_setup", "GET", LOGGED_IN),
    Page("accounts:otp_setup", "POST", LOGGED_IN, data={"token": "000000"}),
    Page("accounts:otp_verify", "GET", LOGGED_IN),
    Page("accounts:otp_verify", "POST", LOGGED_IN, data={"token": "000000"}),
    # system admin: accounts
    Page("accounts:user_list", "GET", SYS_ADMIN),
    Page("accounts:user_create", "GET", SYS_ADMIN),
    Page("accounts:user_create", "POST", SYS_ADMIN, data={"username": ""}),
    Page("accounts:user_edit", "GET", SYS_ADMIN, obj="account"),
    Page("accounts:user_edit", "POST", SYS_ADMIN, obj="account", data={"full_name": "新名字"}),
    Page("accounts:user_set_active", "POST", SYS_ADMIN, obj="account", data={"active": "0"}),
    Page("accounts:user_reset_password", "GET", SYS_ADMIN, obj="account"),
    Page("accounts:user_reset_password", "POST", SYS_ADMIN, obj="account", data={"password": ""}),
    Page("accounts:user_otp_reset", "POST", SYS_ADMIN, obj="account"),
    # security admin: roles and lockouts
    Page("accounts:grant_list", "GET", SEC_ADMIN),
    Page("accounts:grant_create", "GET", SEC_ADMIN),
    Page("accounts:person_link", "GET", SEC_ADMIN, obj="account"),
    Page("accounts:person_link", "POST", SEC_ADMIN, obj="account", data={"person_id": "x"}),
    Page(
        "accounts:grant_create",
        "POST",
        SEC_ADMIN,
        data={"username": "observer", "role": "supervisor", "unit_code": "B"},
    ),
    Page("accounts:grant_revoke", "POST", SEC_ADMIN, obj="grant"),
    Page("accounts:lockout_list", "GET", SEC_ADMIN),
    Page("accounts:lockout_unlock", "POST", SEC_ADMIN, obj="lockout"),
]
