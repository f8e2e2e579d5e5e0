from django.apps import AppConfig
from django.core.signals import request_started


def _fresh_calendar(**kwargs):
    from zhongxinzu.lib import workdays

    workdays.forget_entered_days()


class RulesConfig(AppConfig):
    name = "zhongxinzu.rules"
    verbose_name = "学习规则"

    def ready(self):
        # lib.workdays is the bottom layer and imports no app: the rules app hands it the
        # entered holidays and 调休 working days, and has each request read them afresh
        # (one small query per year a request needs, whichever process served the edit).
        from zhongxinzu.lib import workdays
        from zhongxinzu.rules.services import calendar_year_days

        workdays.use_entered_days(calendar_year_days)
        request_started.connect(_fresh_calendar, dispatch_uid="rules.fresh_calendar")
