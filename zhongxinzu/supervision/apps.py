from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhongxinzu.supervision"
    verbose_name = "列席旁听与整改"
