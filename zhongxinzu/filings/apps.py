from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "zhongxinzu.filings"
    verbose_name = "材料报送"

    def ready(self):
        from zhongxinzu.filings.services import sync_follow_change
        from zhongxinzu.lib.changes import on_figures_changed

        # A session recorded creates the 一学一报 row it owes under the tasks above it.
        on_figures_changed(sync_follow_change)
