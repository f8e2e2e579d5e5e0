"""Build a synthetic province for the benchmark (see zhongxinzu/org/scale.py,
zhongxinzu/org/scale_study.py and zhongxinzu/org/scale_supervision.py).

    manage.py gen_scale --groups 5000 [--seed 2026] [--years 3] [--today YYYY-MM-DD] [--force]

It never deletes anything and runs only the steps whose records are not there yet: on an
empty database the whole province (units, groups, people, rosters, then three years of
study activity, then the year's supervision: experts, teams, visits, problems, assessment);
on a database that already holds a scale province (units coded `SC-…`), only the steps it
lacks (a province built before they existed gains its sessions, attendance… or its visits,
problems…); on a complete one, nothing. If the database holds other units (e.g. the demo
city) and no province, it refuses unless --force, which adds the province as one more root
beside them. For a clean run use an empty database file (the benchmark keeps its own:
bench/data/bench.sqlite3).
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from zhongxinzu.audit.services import audit_record
from zhongxinzu.org import scale, scale_supervision
from zhongxinzu.org.models import Unit

STEPS = scale.STEPS + scale_supervision.STEPS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today 应为 YYYY-MM-DD 格式：{text}") from None


class Command(BaseCommand):
    help = (
        "生成省级规模的测试数据（单位树、中心组、人员、名册、近三年学习活动及当年督导考核），"
        "供性能测试使用"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--groups", type=int, required=True, help="单位（中心组）总数，例如 5000"
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument(
            "--years",
            type=int,
            default=3,
            help=(
                "生成学习活动的年数（含当年，当年截至今天前一天）；"
                "0 表示只生成组织数据（不含学习活动和督导）"
            ),
        )
        parser.add_argument(
            "--today", type=_date, default=None, help="按此日期生成（默认今天），用于复现数据"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="库中已有其他单位时仍然生成（作为新的顶级单位，不删除任何数据）",
        )

    def handle(self, *args, groups, seed, years, today, force, **options):
        if groups < 1:
            raise CommandError("--groups 至少为 1")
        if years < 0:
            raise CommandError("--years 不能为负数")
        build = scale.ScaleBuild(
            groups_wanted=groups, seed=seed, today=today or timezone.localdate(), years=years
        )
        root = Unit.objects.filter(code=f"{scale.CODE_PREFIX}000001").first()
        if root is not None:
            build.root_path = root.path
        else:
            self._check_empty(force)
            build.root_path = scale.next_root_path()
        todo = [(name, step, done) for name, step, done in STEPS if not done(build)]
        if not todo:
            existing = Unit.objects.filter(code__startswith=scale.CODE_PREFIX).count()
            self.stdout.write(
                f"已有规模测试数据（{existing} 个编码以 {scale.CODE_PREFIX} 开头的单位，"
                "学习活动和督导各步骤均已生成），未做任何改动。如需重新生成，请使用新的数据库文件。"
            )
            return
        if root is not None:
            self.stdout.write(
                f"已有规模测试组织数据，补充生成：{'、'.join(name for name, _, _ in todo)}"
            )
        started = time.perf_counter()
        self._tune()
        org = [(name, step) for name, step, done in todo if done is scale.org_done]
        if org:
            with transaction.atomic():  # the org steps share what they build in memory
                for name, step in org:
                    self._run(build, name, step)
        for name, step, done in todo:
            if done is not scale.org_done:
                with transaction.atomic():
                    self._run(build, name, step)
        audit_record(
            action="gen_scale",
            obj=Unit.objects.get(path=build.root_path),
            username="manage.py gen_scale",
            detail={
                "groups": groups,
                "seed": seed,
                "years": years,
                "today": str(build.today),
                "steps": [name for name, _, _ in todo],
            },
        )
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            # What autovacuum would do a minute later (and SQLite never does by itself): plans
            # made before it are not the plans production runs, and the benchmark measures
            # straight after the build.
            cursor.execute("ANALYZE")
        self.stdout.write(f"  {'analyze':<12} {time.perf_counter() - t0:7.2f} s")
        total = time.perf_counter() - started
        if org:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已生成：{len(build.units)} 个单位及中心组，{len(build.people)} 名人员，"
                    f"{len(build.memberships)} 条名册记录，用时 {total:.1f} 秒"
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"已补充生成，用时 {total:.1f} 秒"))

    def _check_empty(self, force: bool) -> None:
        others = Unit.objects.count()
        if others and not force:
            raise CommandError(
                f"数据库中已有 {others} 个单位。规模测试数据应生成在单独的数据库中；"
                "确需与现有数据并存，请加 --force（不会删除任何数据）。"
            )
        from zhongxinzu.accounts.models import User

        taken = User.objects.filter(
            username__in=[scale.SUPERVISOR_USERNAME, scale.SECRETARY_USERNAME]
        ).exists()
        if taken:
            raise CommandError(
                f"账号 {scale.SUPERVISOR_USERNAME} 或 {scale.SECRETARY_USERNAME} "
                "已存在，请使用新的数据库文件。"
            )

    def _tune(self) -> None:
        if connection.vendor == "sqlite":
            # Millions of index inserts: a page cache of 256 MiB instead of 2 MiB keeps the
            # indexes of the attendance table in memory (this connection only).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")

    def _run(self, build, name, step) -> None:
        t0 = time.perf_counter()
        summary = step(build)
        self.stdout.write(f"  {name:<12} {time.perf_counter() - t0:7.2f} s  {summary}")
        self.stdout.flush()
