from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhongxinzu.org"
    verbose_name = "组织与名册"
