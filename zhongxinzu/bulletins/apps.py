from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "zhongxinzu.bulletins"
    verbose_name = "学情通报"
