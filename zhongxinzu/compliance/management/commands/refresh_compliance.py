import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhongxinzu.compliance.services import snapshot_refresh
from zhongxinzu.org.models import Unit


class Command(BaseCommand):
    help = (
        "重新计算各中心组的规则落实情况，供大范围（超过100个中心组）的督导总览统计和筛选使用；"
        "建议每小时或每晚由 cron 运行"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="年度，默认今年及上一年（上一年已发布考核结果的除外）"
        )
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--unit", help="只计算该单位编码及其下级")

    def handle(self, *args, **options):
        as_of = timezone.localdate()
        if options["date"]:
            try:
                as_of = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        root = None
        if options["unit"]:
            root = Unit.objects.filter(code=options["unit"]).first()
            if root is None:
                raise CommandError(f"没有编码为“{options['unit']}”的单位")
        if options["year"]:
            years = [(options["year"], False)]
        else:
            years = [(as_of.year, False), (as_of.year - 1, True)]
        for year, skip_frozen in years:
            started = time.monotonic()
            done = snapshot_refresh(year=year, as_of=as_of, root=root, skip_frozen=skip_frozen)
            took = time.monotonic() - started
            self.stdout.write(f"已计算 {done} 个中心组的{year}年度规则落实情况，用时 {took:.1f} 秒")
