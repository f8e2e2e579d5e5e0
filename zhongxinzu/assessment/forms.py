from django import forms
from django.utils import timezone

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import StudyGroup, Unit


class SchemeCreateForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="考核单位", queryset=Unit.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def __init__(self, *args, units, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class SchemeForm(ProductForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="方案名称", max_length=120)
    bottom_n = forms.IntegerField(label="末位数量（约谈名单）", min_value=0, max_value=1000)
    grades = forms.CharField(
        label="等次及分数线", max_length=200, help_text="例如：优秀:90，良好:80，合格:60，不合格:0"
    )


class AdjustmentForm(ProductForm):
    group = forms.ModelChoiceField(label="中心组", queryset=StudyGroup.objects.none())
    points = forms.DecimalField(
        label="分值（扣分填负数）", max_digits=4, decimal_places=1, min_value=-100, max_value=100
    )
    reason = forms.CharField(label="事由", max_length=300)
    evidence = forms.CharField(label="依据", max_length=300)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
