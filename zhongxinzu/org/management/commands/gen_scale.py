"""Build a synthetic province for the benchmark (see zhongxinzu/org/scale.py).

    manage.py gen_scale --groups 5000 [--seed 2026] [--force]

It never deletes anything. If the database already holds a scale province (units coded
`SC-…`) it says so and does nothing; if it holds other units (e.g. the demo city) it
refuses unless --force, which adds the province as one more root beside them. For a clean
run use an empty database file (the benchmark keeps its own: bench/data/bench.sqlite3).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhongxinzu.audit.services import audit_record
from zhongxinzu.org import scale
from zhongxinzu.org.models import Unit


class Command(BaseCommand):
    help = "生成省级规模的测试数据（单位树、中心组、人员、名册），供性能测试使用"

    def add_arguments(self, parser):
        parser.add_argument(
            "--groups", type=int, required=True, help="单位（中心组）总数，例如 5000"
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument(
            "--force",
            action="store_true",
            help="库中已有其他单位时仍然生成（作为新的顶级单位，不删除任何数据）",
        )

    def handle(self, *args, groups, seed, force, **options):
        if groups < 1:
            raise CommandError("--groups 至少为 1")
        existing = Unit.objects.filter(code__startswith=scale.CODE_PREFIX).count()
        if existing:
            self.stdout.write(
                f"已有规模测试数据（{existing} 个编码以 {scale.CODE_PREFIX} "
                "开头的单位），未做任何改动。如需重新生成，请使用新的数据库文件。"
            )
            return
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

        build = scale.ScaleBuild(groups_wanted=groups, seed=seed, root_path=scale.next_root_path())
        started = time.perf_counter()
        with transaction.atomic():
            for name, step in scale.STEPS:
                t0 = time.perf_counter()
                summary = step(build)
                self.stdout.write(f"  {name:<12} {time.perf_counter() - t0:7.2f} s  {summary}")
            audit_record(
                action="gen_scale",
                obj=build.root,
                username="manage.py gen_scale",
                detail={"groups": groups, "seed": seed, "people": len(build.people)},
            )
        if connection.vendor == "postgresql":
            # What autovacuum would do a minute later: plans made before it are not the
            # plans production runs, and the benchmark measures straight after the build.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        total = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成：{len(build.units)} 个单位及中心组，{len(build.people)} 名人员，"
                f"{len(build.memberships)} 条名册记录，用时 {total:.1f} 秒"
            )
        )
