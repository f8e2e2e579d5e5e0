from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhongxinzu.accounts"
    verbose_name = "账号与角色"
