from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "zhongxinzu.bulletins"
    verbose_name = "学情通报"

    def ready(self):
        from zhongxinzu.bulletins import runners  # noqa: F401  (registers bulletins.draft)
