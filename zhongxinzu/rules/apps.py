from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "zhongxinzu.rules"
    verbose_name = "学习规则"
