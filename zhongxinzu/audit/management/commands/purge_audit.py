from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from zhongxinzu.audit.services import audit_record

MIN_RETENTION_DAYS = 184  # 等保: at least six months, whatever the setting says


class Command(BaseCommand):
    help = "删除超过保留期（默认184天）的审计记录"

    def handle(self, *args, **options):
        days = max(settings.AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)
        cutoff = timezone.now() - timedelta(days=days)
        # The queryset refuses deletes on purpose; the retention purge is the one raw path,
        # and the database trigger still refuses anything younger than 184 days.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM audit_auditentry WHERE at < %s",
                    [connection.ops.adapt_datetimefield_value(cutoff)],
                )
                deleted = cursor.rowcount
            audit_record(
                action="audit_purge",
                username="system",
                detail={"deleted": deleted, "before": cutoff.isoformat(timespec="seconds")},
            )
        self.stdout.write(f"已删除 {deleted} 条过期审计记录")
