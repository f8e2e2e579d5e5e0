from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "zhongxinzu.stats"
    verbose_name = "学习统计"
