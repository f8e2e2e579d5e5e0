from django import forms

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.rules.models import Rule


class RuleValueForm(ProductForm):
    """Set a rule's value for one unit's subtree, for every year or for one year. The value
    is checked against the rule's kind by rules.services.parse_value."""

    rule = forms.ModelChoiceField(
        label="规则", queryset=Rule.objects.all(), to_field_name="key", empty_label=None
    )
    year = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        required=False,
        help_text="留空表示各年度通用；填写则只对该年度有效（优先于通用值）",
    )
    value = forms.CharField(
        label="取值",
        max_length=20,
        help_text="整数或百分比填数字；是/否填“是”或“否”；日期填“月-日”，例如01-31",
    )
    note = forms.CharField(label="说明（依据文件等）", max_length=200, required=False)


class CalendarDaysForm(ProductForm):
    """Holidays and 调休 working days, one line each; parsed by rules.services."""

    lines = forms.CharField(
        label="每行一条：日期 名称 休/上班",
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": "2027-01-01 元旦 休\n2027-02-06至2027-02-12 春节 休\n"
                "2027-02-14 春节调休 上班",
            }
        ),
        help_text="“休”表示放假，“上班”表示调休上班；日期可写成范围，如 2027-10-01至2027-10-07。"
        "可直接粘贴多行，有一行不正确则全部不录入。",
    )
