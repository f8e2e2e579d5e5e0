from django import forms
from django.utils import timezone

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Person, StudyGroup
from zhongxinzu.supervision.models import ObservationVisit, Problem, Rectification

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class ProblemForm(ProductForm):
    group = forms.ModelChoiceField(label="中心组", queryset=StudyGroup.objects.none())
    source = forms.ChoiceField(label="问题来源", choices=Problem.Source.choices)
    visit = forms.ModelChoiceField(
        label="所属旁听", queryset=ObservationVisit.objects.none(), required=False
    )
    category = forms.CharField(label="问题类别", max_length=40)
    description = forms.CharField(label="问题描述", widget=TEXT)
    evidence = forms.CharField(label="依据", widget=TEXT, required=False)
    found_on = forms.DateField(label="发现日期", widget=DATE)
    measures = forms.CharField(label="整改措施", widget=TEXT)
    owner = forms.ModelChoiceField(label="责任人", queryset=Person.objects.none(), required=False)
    department = forms.CharField(label="责任部门", max_length=60, required=False)
    deadline = forms.DateField(label="整改时限", widget=DATE)

    def __init__(self, *args, groups, owners, visits, supervisor: bool, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("found_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["owner"].queryset = owners
        self.fields["visit"].queryset = visits
        self.fields["visit"].label_from_instance = lambda v: f"{v.planned_on} {v.group.name}"
        if not supervisor:
            del self.fields["visit"]
            self.fields["source"].choices = [
                (Problem.Source.SELF_CHECK.value, Problem.Source.SELF_CHECK.label)
            ]


class ReportForm(ProductForm):
    text = forms.CharField(label="整改进展", widget=TEXT)
    evidence_file = forms.FileField(
        label="佐证材料", required=False, help_text="可上传Word、Excel、PDF或JPG/PNG图片"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edits_only = True


class ReturnForm(ProductForm):
    note = forms.CharField(label="退回意见", max_length=300, widget=TEXT)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edits_only = True


class ProblemFilterForm(ProductForm):
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部")] + Rectification.Status.choices, required=False
    )
    source = forms.ChoiceField(
        label="来源", choices=[("", "全部")] + Problem.Source.choices, required=False
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)
    group = forms.ModelChoiceField(
        label="中心组", queryset=StudyGroup.objects.none(), required=False, empty_label="全部"
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
