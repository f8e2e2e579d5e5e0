from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhongxinzu.ops.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件到一个 .tar.gz（附 SHA-256 清单），"
        "例如：manage.py backup --output /var/backups/zhongxinzu --keep 30"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="备份文件存放目录")
        parser.add_argument(
            "--keep", type=int, default=0, help="只保留最近 N 份备份（默认 0：全部保留）"
        )

    def handle(self, *args, output, keep, **options):
        try:
            archive = backup_create(output_dir=Path(output), keep=keep)
        except BackupError as e:
            raise CommandError("；".join(e.messages)) from e
        self.stdout.write(f"备份完成：{archive}")
