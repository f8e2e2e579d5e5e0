"""First installation (or recovery): create one of the three admin accounts from the shell.
Every later account and role is managed in the application by these admins."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhongxinzu.accounts import services
from zhongxinzu.accounts.models import ADMIN_ROLES, Role


class Command(BaseCommand):
    help = (
        "新建管理员账号（首次部署或恢复时使用）：系统管理员 sys_admin、安全管理员 sec_admin、"
        "审计管理员 audit_admin。密码为临时密码，首次登录须修改并绑定动态口令。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ADMIN_ROLES))
        parser.add_argument("--name", required=True, help="姓名，如：张三")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="从标准输入读取初始密码（用于脚本），否则交互输入两次",
        )

    def handle(self, *args, username, role, name, password_stdin, **options):
        password = self._password(password_stdin)
        try:
            with transaction.atomic():
                user = services.user_create(
                    actor=None, username=username, full_name=name, raw_password=password
                )
                services.grant_role(actor=None, user=user, role=role)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from e
        self.stdout.write(
            f"已创建{Role(role).label}账号“{user.username}”。首次登录须修改初始密码，"
            "并绑定动态口令（TOTP）。"
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("初始密码：")
        if first != getpass.getpass("再次输入初始密码："):
            raise CommandError("两次输入的密码不一致")
        return first
