from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "zhongxinzu.dashboard"
    verbose_name = "驾驶舱"
