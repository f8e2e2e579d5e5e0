from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhongxinzu.org import demo


class Command(BaseCommand):
    help = "载入演示数据（江川市），仅限演示模式；重复运行不做任何修改"

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("演示数据只能在演示模式（DEBUG=1 或 DEMO_MODE=1）下载入")
        if demo.demo_present():
            self.stdout.write("演示数据已存在，未做修改。")
        else:
            with transaction.atomic():
                demo.build_demo_city()
            self.stdout.write(self.style.SUCCESS("已载入演示数据：江川市（含两年学习记录和提醒）"))
        self.stdout.write(f"\n演示账号（密码均为 {demo.DEMO_PASSWORD}，仅在演示模式下可登录）：")
        for username, label in demo.ACCOUNT_LABELS.items():
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write("  三个管理员账号首次登录需绑定动态口令（TOTP）。\n")
