from django import forms

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.meetings.models import Attendance, StudySession
from zhongxinzu.org.models import Person
from zhongxinzu.plans.models import FirstItem, PlanTopic

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TEXT = forms.Textarea(attrs={"rows": 4})


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.post}）" if obj.post else obj.name


class TopicChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        when = f"{obj.month}月" if obj.month else (f"第{obj.quarter}季度" if obj.quarter else "")
        return f"{obj.plan.year}年{when} {obj.title}"


class FirstItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.released_on:%Y-%m-%d} {obj.title}"


class SessionForm(ProductForm):
    kind = forms.ChoiceField(label="学习形式", choices=StudySession.Kind.choices)
    title = forms.CharField(label="学习主题", max_length=200)
    topic = TopicChoice(label="对应计划专题", queryset=PlanTopic.objects.none(), required=False)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=DATETIME, input_formats=DATETIME_INPUTS
    )
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=DATETIME_INPUTS)
    place = forms.CharField(label="地点", max_length=200)
    chair = PersonChoice(label="主持人", queryset=Person.objects.none(), required=False)
    lead_reader = PersonChoice(label="领学人", queryset=Person.objects.none(), required=False)
    first_item = FirstItemChoice(
        label="第一议题",
        queryset=FirstItem.objects.none(),
        required=False,
        help_text="从第一议题库中选择，列为本次学习的第一项议程",
    )
    agenda = forms.CharField(
        label="其他议程", widget=TEXT, required=False, help_text="每行一项，按顺序排列"
    )
    content = forms.CharField(label="学习内容", widget=TEXT, required=False)
    materials = forms.CharField(
        label="学习材料", widget=TEXT, required=False, help_text="篇目或文件名，每行一项"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people=None, topics=None, first_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("chair", "lead_reader"):
            self.fields[name].queryset = people
        self.fields["topic"].queryset = topics
        self.fields["first_item"].queryset = first_items

    def clean_agenda(self):
        lines = [line.strip() for line in self.cleaned_data["agenda"].splitlines()]
        return [line[:300] for line in lines if line]


class SpeakerForm(ProductForm):
    person = PersonChoice(label="发言人", queryset=Person.objects.none(), required=False)
    subtopic = forms.CharField(label="发言题目", max_length=200, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("subtopic") and not data.get("person"):
            self.add_error("person", "请选择发言人")
        if data.get("person") and not data.get("subtopic"):
            self.add_error("subtopic", "请填写发言题目")
        return data


SpeakerFormSet = forms.formset_factory(SpeakerForm, extra=3, max_num=30, absolute_max=30)


class RecordForm(ProductForm):
    content = forms.CharField(label="学习内容", widget=TEXT)
    effect = forms.CharField(
        label="学习效果", widget=TEXT, help_text="学习收获、形成的共识、推动工作的举措等"
    )
    minutes = forms.CharField(
        label="会议纪要", widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RollCallForm(ProductForm):
    """One row per person on the roster: status and reason."""

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for e in self.entries:
            pid = e.person.pk
            self.fields[f"status_{pid}"] = forms.ChoiceField(
                label=e.person.name,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"请选择{e.person.name}的出勤情况"},
            )
            self.fields[f"reason_{pid}"] = forms.CharField(
                label="原因", max_length=200, required=False
            )

    def rows(self):
        for e in self.entries:
            pid = e.person.pk
            yield e, self[f"status_{pid}"], self[f"reason_{pid}"]

    def cleaned_rows(self) -> dict[int, tuple[str, str]]:
        return {
            e.person.pk: (
                self.cleaned_data[f"status_{e.person.pk}"],
                self.cleaned_data[f"reason_{e.person.pk}"],
            )
            for e in self.entries
        }


class AttachmentForm(ProductForm):
    file = forms.FileField(
        label="上传材料（Word、Excel、PDF、JPG、PNG）",
        allow_empty_file=True,  # refused by lib.uploads with its own message
        widget=forms.FileInput(attrs={"accept": ".docx,.xlsx,.pdf,.jpg,.jpeg,.png"}),
        error_messages={"required": "请选择要上传的文件"},
    )


class LeaveForm(ProductForm):
    reason = forms.CharField(
        label="请假事由", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeaveDecisionForm(ProductForm):
    decision = forms.ChoiceField(
        label="审批", choices=[("approve", "批准"), ("refuse", "不批准")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="审批意见", max_length=300, required=False)


class MakeUpSubmitForm(ProductForm):
    text = forms.CharField(
        label="补学心得/笔记", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    file = forms.FileField(
        label="补学材料（可选：Word、PDF、图片等）",
        required=False,
        allow_empty_file=True,
        widget=forms.FileInput(attrs={"accept": ".docx,.xlsx,.pdf,.jpg,.jpeg,.png"}),
    )


class MakeUpReviewForm(ProductForm):
    action = forms.ChoiceField(choices=[("confirm", "确认完成"), ("return", "退回")])
    note = forms.CharField(label="退回意见", max_length=300, required=False)
