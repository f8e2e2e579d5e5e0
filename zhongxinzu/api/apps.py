from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zhongxinzu.api"
    verbose_name = "接口"
