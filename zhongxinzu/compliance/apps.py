from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "zhongxinzu.compliance"
    verbose_name = "规则落实与提醒"

    def ready(self):
        from zhongxinzu.compliance.services import snapshot_follow_change
        from zhongxinzu.lib.changes import on_figures_changed

        # Every write that changes a group's figures refreshes its snapshot on commit.
        on_figures_changed(snapshot_follow_change)
