from django import forms
from django.utils import timezone

from zhongxinzu.filings.models import FilingTask
from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="布置单位", queryset=Unit.objects.none())
    kind = forms.ChoiceField(label="类别", choices=FilingTask.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="任务名称", max_length=200)
    due_on = forms.DateField(
        label="截止日期", widget=DATE, required=False, help_text="年度学习材料填写，如1月31日"
    )
    working_days = forms.IntegerField(
        label="学习后几个工作日内报送",
        required=False,
        min_value=1,
        max_value=30,
        help_text="一学一报填写；按国家法定节假日和调休安排计算工作日",
    )
    notes = forms.CharField(
        label="报送要求", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        year = timezone.localdate().year
        self.fields["year"].initial = year
        self.fields["title"].initial = f"{year}年度理论学习中心组学习有关材料报送"


class ReturnForm(ProductForm):
    reason = forms.CharField(
        label="退回理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=500
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
