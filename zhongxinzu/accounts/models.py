from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class User(AbstractUser):
    person = models.OneToOneField(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
        verbose_name="对应人员",
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Demo accounts can sign in only while settings.DEMO_MODE is on.
    is_demo = models.BooleanField(default=False, editable=False)
    # Set when an administrator re-enables an account, so a dormant account that was
    # reactivated is not refused again straight away (see backends.is_dormant).
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号"
        constraints = [
            # "Admin" and "admin" are one account name: login matches case-insensitively.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    """Granted roles. Group roles (secretary, leader, member) come from the roster instead."""

    SUPERVISOR = "supervisor", "督导"
    OBSERVER = "observer", "专家/旁听组成员"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ADMIN_ROLES = {Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN}


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="督导范围（单位及下级）",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="grant_unique"),
            # 三员分立 in the database: an account holds at most one of the admin roles.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role__in=["sys_admin", "sec_admin", "audit_admin"]),
                name="one_admin_role_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(role="supervisor") | Q(unit__isnull=False),
                name="supervisor_needs_unit",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"API token of {self.user_id}"
