from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "zhongxinzu.compliance"
    verbose_name = "规则落实与提醒"
