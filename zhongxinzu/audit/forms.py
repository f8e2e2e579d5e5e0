from django import forms

from zhongxinzu.audit.labels import action_choices
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.lib.forms import ProductForm


class AuditFilterForm(ProductForm):
    """Filters of the audit log list and export (all optional)."""

    user = forms.CharField(label="用户名", max_length=150, required=False)
    action = forms.ChoiceField(
        label="操作",
        required=False,
        choices=[("", "全部"), *action_choices()],
    )
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *AuditEntry.Outcome.choices]
    )
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data
