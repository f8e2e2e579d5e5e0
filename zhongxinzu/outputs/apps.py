from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "zhongxinzu.outputs"
    verbose_name = "学习成果"
