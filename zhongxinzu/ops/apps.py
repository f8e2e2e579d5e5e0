from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "zhongxinzu.ops"
    verbose_name = "运维"
