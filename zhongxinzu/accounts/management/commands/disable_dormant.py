from django.conf import settings
from django.core.management.base import BaseCommand

from zhongxinzu.accounts.services import user_disable_dormant


class Command(BaseCommand):
    help = "停用超过规定天数（ACCOUNT_DORMANT_DAYS，默认90天）未登录的账号；建议每天由 cron 运行"

    def handle(self, *args, **options):
        disabled = user_disable_dormant()
        for user in disabled:
            self.stdout.write(f"  已停用：{user.username}")
        self.stdout.write(
            f"共停用 {len(disabled)} 个超过 {settings.ACCOUNT_DORMANT_DAYS} 天未使用的账号"
        )
