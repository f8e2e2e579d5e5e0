from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhongxinzu.ops.services import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "校验并恢复 manage.py backup 生成的备份。只能恢复到新建并执行过 migrate 的空数据库；"
        "--verify-only 只校验不恢复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz）")
        parser.add_argument("--verify-only", action="store_true", help="只校验，不恢复")

    def handle(self, *args, archive, verify_only, **options):
        path = Path(archive)
        try:
            run = backup_verify if verify_only else backup_restore
            manifest = run(archive=path)
        except BackupError as e:
            raise CommandError("；".join(e.messages)) from e
        rows = sum(manifest.rows.values())
        files = len(manifest.files) - 1
        verb = "校验通过" if verify_only else "恢复完成"
        self.stdout.write(
            f"{verb}：{path.name}（{manifest.data['created_at']} 备份，"
            f"{rows} 行数据，{files} 个上传文件）"
        )
