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
