from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhongxinzu.plans"
    verbose_name = "学习提示与计划"
