from django.core.management.base import BaseCommand, CommandError

from zhongxinzu.audit import chain
from zhongxinzu.audit.models import AuditVerification


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一条被删改的记录（有异常时退出码非零）"

    def handle(self, *args, **options):
        result = chain.verify()
        AuditVerification.objects.create(
            ok=result.ok,
            checked=result.checked,
            broken_entry_id=result.broken_entry_id,
            message=result.message[:300],
        )
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(result.message)
