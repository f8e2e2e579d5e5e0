from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "zhongxinzu.archive"
    verbose_name = "学习档案"
