from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from zhongxinzu.audit.models import AuditChainHead, AuditEntry
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
            # Keep the chain verifiable: the hash of the last purged entry becomes the
            # anchor the first remaining entry links to.
            last = (
                AuditEntry.objects.filter(at__lt=cutoff)
                .order_by("-id")
                .values("entry_hash")
                .first()
            )
            if last is not None:
                head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
                AuditChainHead.objects.filter(pk=1).update(anchor_hash=last["entry_hash"])
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
