from django import forms

from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Membership, Person, PostCategory, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitForm(ProductForm):
    name = forms.CharField(label="单位名称", max_length=100)
    code = forms.CharField(label="单位编码", max_length=40)
    kind = forms.ChoiceField(label="类型", choices=Unit.Kind.choices)
    order = forms.IntegerField(label="同级排序", min_value=0, max_value=99999, initial=100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UnitMoveForm(ProductForm):
    parent_code = forms.CharField(label="新上级单位编码", max_length=40)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PersonForm(ProductForm):
    name = forms.CharField(label="姓名", max_length=40)
    gender = forms.ChoiceField(label="性别", choices=Person.Gender.choices)
    post = forms.CharField(label="职务", max_length=100, required=False)
    post_category = forms.ChoiceField(
        label="职务类别",
        choices=[("", "未分类"), *PostCategory.choices],
        required=False,
        help_text="名册必备职务按职务类别核对，不按职务文字",
    )
    rank_order = forms.IntegerField(
        label="排序号",
        min_value=0,
        max_value=99999,
        initial=100,
        help_text="按职务排序，数字越小越靠前",
    )
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PersonCreateForm(PersonForm):
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none())

    field_order = ["unit"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class MembershipForm(ProductForm):
    person = forms.ModelChoiceField(label="人员", queryset=Person.objects.none())
    role = forms.ChoiceField(label="组内角色", choices=Membership.Role.choices)
    start_date = forms.DateField(label="起始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", widget=DATE, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class MembershipEditForm(ProductForm):
    role = forms.ChoiceField(label="组内角色", choices=Membership.Role.choices)
    start_date = forms.DateField(label="起始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", widget=DATE, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MembershipEndForm(ProductForm):
    end_date = forms.DateField(label="结束日期", widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RequirementForm(ProductForm):
    scope = forms.ModelChoiceField(label="适用范围（含下级）", queryset=Unit.objects.none())
    label = forms.CharField(label="要求", max_length=60, help_text="例如：党群部门负责人")
    post_category = forms.ChoiceField(
        label="职务类别",
        choices=PostCategory.choices,
        help_text="名册中有人的职务类别为此项即视为满足",
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = units
