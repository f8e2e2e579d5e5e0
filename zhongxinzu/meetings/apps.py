from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "zhongxinzu.meetings"
    verbose_name = "集体学习"
