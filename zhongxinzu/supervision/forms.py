from django import forms
from django.utils import timezone

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Person, Unit
from zhongxinzu.supervision.models import Expert, ObservationTeam, VisitPlan
from zhongxinzu.supervision.selectors import CHECKLIST_ITEMS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "年度")
        super().__init__(min_value=2000, max_value=2100, **kwargs)


def this_year() -> int:
    return timezone.localdate().year


class ExpertForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="专家库所属单位", queryset=Unit.objects.none())
    person = forms.ModelChoiceField(
        label="对应人员",
        queryset=Person.objects.none(),
        required=False,
        help_text="本系统内人员请选择；系统外专家留空并填写姓名",
    )
    name = forms.CharField(label="姓名", max_length=40, required=False)
    field = forms.CharField(label="研究领域", max_length=100, required=False)
    title = forms.CharField(label="职务/职称", max_length=100, required=False)
    employer = forms.CharField(label="工作单位", max_length=100, required=False)
    home_unit = forms.ModelChoiceField(
        label="所在单位（本系统内）",
        queryset=Unit.objects.none(),
        required=False,
        help_text="旁听组不会被安排到其成员所在单位；选择了对应人员时默认为其所在单位",
    )
    availability = forms.CharField(label="可参加时间", max_length=200, required=False)
    username = forms.CharField(
        label="登录账号",
        max_length=150,
        required=False,
        help_text="填写后该账号（需具有专家/旁听组成员角色）可查看和填写本人的旁听任务",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, owner_units=(), people=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in owner_units])
        if people is not None:
            self.fields["person"].queryset = people.select_related("unit").order_by(
                "unit__path", "rank_order", "pk"
            )
        if units is not None:
            self.fields["home_unit"].queryset = units.order_by("path")


class TeamForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="督导单位", queryset=Unit.objects.none())
    year = YearField()
    name = forms.CharField(label="名称", max_length=60)

    def __init__(self, *args, owner_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in owner_units])


class TeamEditForm(ProductForm):
    name = forms.CharField(label="名称", max_length=60)
    is_active = forms.BooleanField(label="启用", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TeamMemberForm(ProductForm):
    expert = forms.ModelChoiceField(label="专家", queryset=Expert.objects.none())
    is_leader = forms.BooleanField(label="任组长", required=False)

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if experts is not None:
            self.fields["expert"].queryset = experts


class PlanForm(ProductForm):
    owner_unit = forms.ModelChoiceField(label="督导单位", queryset=Unit.objects.none())
    year = YearField()
    period_start = forms.DateField(label="开始日期", widget=DATE)
    period_end = forms.DateField(label="结束日期", widget=DATE)
    mode = forms.ChoiceField(label="旁听方式", choices=VisitPlan.Mode.choices)
    title = forms.CharField(label="名称", max_length=120, required=False)

    def __init__(self, *args, owner_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in owner_units])


class VisitEditForm(ProductForm):
    team = forms.ModelChoiceField(
        label="旁听组", queryset=ObservationTeam.objects.none(), required=False
    )
    planned_on = forms.DateField(label="日期", widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edits_only = True

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class ChecklistForm(ProductForm):
    checked = forms.MultipleChoiceField(
        label="审核项目",
        choices=CHECKLIST_ITEMS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(label="审核意见", widget=TEXT, max_length=500, required=False)


class OnsiteForm(ProductForm):
    comments = forms.CharField(label="现场点评", widget=TEXT)


class InterviewForm(ProductForm):
    notes = forms.CharField(label="访谈记录", widget=TEXT)


class SummaryForm(ProductForm):
    overall = forms.CharField(label="总体评价", widget=TEXT)
    highlights = forms.CharField(label="特色亮点", widget=TEXT, required=False)
    problems = forms.CharField(label="存在问题", widget=TEXT, required=False)
