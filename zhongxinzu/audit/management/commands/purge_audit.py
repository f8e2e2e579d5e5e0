from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = "删除超过保留期（默认184天）的审计记录"

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=max(settings.AUDIT_RETENTION_DAYS, 184))
        # The queryset refuses deletes on purpose; the retention purge is the one raw path,
        # and the database trigger still refuses anything younger than 184 days.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE at < %s", [cutoff])
            self.stdout.write(f"已删除 {cursor.rowcount} 条过期审计记录")
