from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "zhongxinzu.archive"
    verbose_name = "学习档案"

    def ready(self):
        from zhongxinzu.archive import runners  # noqa: F401  (registers archive.build)
