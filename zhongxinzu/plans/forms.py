from django import forms
from django.utils import timezone

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Person, StudyGroup, Unit
from zhongxinzu.plans.models import FirstItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})
QUARTERS = [(q, f"第{q}季度") for q in range(1, 5)]
MONTHS = [("", "—")] + [(m, f"{m}月") for m in range(1, 13)]


def this_year() -> int:
    return timezone.localdate().year


def this_quarter() -> int:
    return (timezone.localdate().month - 1) // 3 + 1


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "年度")
        super().__init__(min_value=2000, max_value=2100, **kwargs)


class PromptForm(ProductForm):
    issuer_unit = forms.ModelChoiceField(label="下发单位", queryset=Unit.objects.none())
    year = YearField()
    quarter = forms.TypedChoiceField(label="季度", choices=QUARTERS, coerce=int)
    title = forms.CharField(label="标题", max_length=200)
    themes = forms.CharField(
        label="学习主题", widget=TEXT, help_text="每行一个主题；编制年度计划时可按行生成专题"
    )
    discussion_focus = forms.CharField(label="研讨重点", widget=TEXT, required=False)
    readings = forms.CharField(label="学习篇目", widget=TEXT, required=False)
    expected_outputs = forms.CharField(label="成果要求", widget=TEXT, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class AttachmentForm(ProductForm):
    file = forms.FileField(
        label="附件",
        allow_empty_file=True,  # refused by lib.uploads with its own message
        help_text="可上传Word、Excel、PDF或JPG/PNG图片",
        widget=forms.FileInput(attrs={"accept": ".docx,.xlsx,.pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": "请选择要上传的文件"},
    )


class FirstItemForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="议题库所属单位", queryset=Unit.objects.none())
    title = forms.CharField(label="题目", max_length=300)
    kind = forms.ChoiceField(label="类别", choices=FirstItem.Kind.choices)
    released_on = forms.DateField(label="发布日期", widget=DATE)
    source = forms.CharField(label="出处", max_length=200, required=False)
    summary = forms.CharField(label="要点", widget=TEXT, required=False)
    restricted = forms.BooleanField(
        label="限定范围学习",
        required=False,
        help_text="限定传达范围的材料：成员只看到题目，要点和出处向学习秘书领取",
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["owner_unit"]
        else:
            self.fields["owner_unit"].queryset = units


class PlanCreateForm(ProductForm):
    group = forms.ModelChoiceField(label="中心组", queryset=StudyGroup.objects.none())
    year = YearField()
    title = forms.CharField(
        label="标题", max_length=200, required=False, help_text="不填则为“中心组名称+年度学习计划”"
    )
    guidance = forms.CharField(label="指导思想与总体要求", widget=TEXT, required=False)
    from_prompts = forms.BooleanField(
        label="按本年度学习提示生成专题",
        required=False,
        initial=True,
        help_text="每条学习提示的每行主题生成一个专题，按提示的季度安排",
    )

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class PlanForm(ProductForm):
    title = forms.CharField(label="标题", max_length=200)
    guidance = forms.CharField(
        label="指导思想与总体要求", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TopicForm(ProductForm):
    order = forms.IntegerField(label="序号", min_value=1, max_value=999, required=False)
    title = forms.CharField(label="专题", max_length=200)
    month = forms.TypedChoiceField(
        label="月份", choices=MONTHS, coerce=int, empty_value=None, required=False
    )
    quarter = forms.TypedChoiceField(
        label="季度",
        choices=[("", "—"), *QUARTERS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="按月安排的可不填季度",
    )
    form = forms.ChoiceField(label="学习形式", required=False)
    lead = forms.ModelChoiceField(label="领学/主讲", queryset=Person.objects.none(), required=False)
    content = forms.CharField(label="学习内容", widget=TEXT, required=False)

    def __init__(self, *args, people=None, forms_available=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = people
        self.fields["form"].choices = [("", "—")] + [(f, f) for f in forms_available]


class ReturnForm(ProductForm):
    comment = forms.CharField(label="退回意见", widget=TEXT, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edits_only = True


class ReopenForm(ProductForm):
    reason = forms.CharField(label="重新打开的原因", max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edits_only = True
