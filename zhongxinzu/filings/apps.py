from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "zhongxinzu.filings"
    verbose_name = "材料报送"
