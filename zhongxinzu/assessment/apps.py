from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "zhongxinzu.assessment"
    verbose_name = "考核评价"
