from django import forms

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Unit

ITEMS_HELP = "每行一项：评分项目｜分值｜评分要点，各项分值合计100分"
GRADES_HELP = "从高到低，如：好90，较好80，一般60，差0（最低等次分数线为0）"


class ScoreTemplateForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="督导单位", queryset=Unit.objects.none())
    name = forms.CharField(label="名称", max_length=100)
    grades = forms.CharField(label="等次", max_length=200, help_text=GRADES_HELP)
    items = forms.CharField(
        label="评分项目", widget=forms.Textarea(attrs={"rows": 10}), help_text=ITEMS_HELP
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, units=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["owner_unit"]
        else:
            self.fields["owner_unit"].queryset = units


class StatsForm(ProductForm):
    start = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    threshold = forms.IntegerField(label="分数线", min_value=0, max_value=100, required=False)
