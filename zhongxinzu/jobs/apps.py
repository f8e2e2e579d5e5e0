from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "zhongxinzu.jobs"
    verbose_name = "后台任务"

    def ready(self):
        from zhongxinzu.jobs import runners  # noqa: F401  (registers the kinds)
