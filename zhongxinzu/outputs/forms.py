from django import forms
from django.utils import timezone

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.outputs.models import Conversion, Output

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{timezone.localtime(obj.starts_at):%Y-%m-%d %H:%M} {obj.title}"


class OutputForm(ProductForm):
    group = forms.ModelChoiceField(label="中心组", queryset=StudyGroup.objects.none())
    kind = forms.ChoiceField(label="类别", choices=Output.Kind.choices)
    title = forms.CharField(label="题目", max_length=200)
    session = SessionChoiceField(
        label="关联学习",
        queryset=StudyGroup.objects.none(),
        required=False,
        empty_label="（不关联）",
        help_text="研讨发言材料请选择将要举行的学习，在会前提交组长审阅",
    )
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 12}), required=False)
    file = forms.FileField(
        label="附件",
        required=False,
        allow_empty_file=True,  # refused by lib.uploads with its own message
        help_text="可上传Word、Excel、PDF或JPG/PNG图片；正文和附件至少填一项",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.xlsx,.pdf,.jpg,.jpeg,.png"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, groups=None, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is None:
            del self.fields["group"]
        else:
            self.fields["group"].queryset = groups
        self.fields["session"].queryset = sessions


class ReviewForm(ProductForm):
    decision = forms.ChoiceField(
        label="审阅结果", choices=[("approve", "审阅通过"), ("return", "退回修改")]
    )
    comment = forms.CharField(
        label="审阅意见", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    edits_only = True


class ConversionForm(ProductForm):
    kind = forms.ChoiceField(label="转化类型", choices=Conversion.Kind.choices)
    title = forms.CharField(label="名称", max_length=200)
    doc_number = forms.CharField(
        label="文号", max_length=60, required=False, help_text="制度文件必填，如：教党〔2026〕5号"
    )
    issued_on = forms.DateField(label="日期", widget=DATE)
    description = forms.CharField(
        label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
