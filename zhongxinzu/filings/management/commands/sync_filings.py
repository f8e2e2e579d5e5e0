from django.core.management.base import BaseCommand
from django.utils import timezone

from zhongxinzu.filings.models import FilingTask
from zhongxinzu.filings.services import submissions_sync


class Command(BaseCommand):
    help = (
        "补齐报送任务下各中心组应报送的事项（新成立的中心组、新记录的学习）；写操作会即时补齐，"
        "本命令用于核对，建议每天由 cron 运行"
    )

    def handle(self, *args, **options):
        year = timezone.localdate().year
        tasks = FilingTask.objects.filter(is_active=True, year__in=(year - 1, year))
        created = submissions_sync(tasks=list(tasks))
        self.stdout.write(f"补齐报送事项 {created} 项")
