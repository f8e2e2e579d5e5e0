from django import forms
from django.utils import timezone

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Unit
from zhongxinzu.stats.periods import Kind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BulletinCreateForm(ProductForm):
    issuer_unit = forms.ModelChoiceField(label="发文单位（通报范围）", queryset=Unit.objects.none())
    period = forms.ChoiceField(label="通报期间", choices=Kind.CHOICES)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    n = forms.TypedChoiceField(
        label="半年/季度",
        coerce=int,
        required=False,
        empty_value=0,
        choices=[
            (0, "—"),
            (1, "上半年/第一季度"),
            (2, "下半年/第二季度"),
            (3, "第三季度"),
            (4, "第四季度"),
        ],
        help_text="按半年或季度通报时选择",
    )
    start = forms.DateField(
        label="开始日期", widget=DATE, required=False, help_text="自定义期间时填写"
    )
    end = forms.DateField(label="结束日期", widget=DATE, required=False)
    doc_prefix = forms.CharField(
        label="发文机关代字",
        max_length=20,
        required=False,
        help_text="如“江宣通”；不填则沿用上次通报的代字",
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["year"].initial = timezone.localdate().year

    def span_params(self) -> dict:
        d = self.cleaned_data
        return {
            "period": d["period"],
            "year": str(d.get("year") or ""),
            "n": str(d.get("n") or ""),
            "start": d["start"].isoformat() if d.get("start") else "",
            "end": d["end"].isoformat() if d.get("end") else "",
        }


class SectionForm(ProductForm):
    text = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        help_text="每行一段；以“（一）”开头的行排为二级标题",
    )
    reason = forms.CharField(
        label="修改说明",
        max_length=200,
        required=False,
        help_text="通报已印发：修改将形成新版本，请说明修改原因",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class HeaderForm(ProductForm):
    title = forms.CharField(label="标题", max_length=200)
    addressee = forms.CharField(label="主送机关", max_length=200, required=False)
    cc = forms.CharField(label="抄送", max_length=200, required=False)
    doc_prefix = forms.CharField(label="发文机关代字", max_length=20, required=False)
    reason = forms.CharField(
        label="修改说明",
        max_length=200,
        required=False,
        help_text="通报已印发：修改将形成新版本，请说明修改原因",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
