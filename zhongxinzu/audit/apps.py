from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhongxinzu.audit"
    verbose_name = "审计日志"

    def ready(self):
        from zhongxinzu.audit import receivers  # noqa: F401  (login/logout/lockout hooks)
