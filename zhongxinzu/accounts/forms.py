from django import forms
from django.contrib.auth import password_validation

from zhongxinzu.accounts.models import Role, User
from zhongxinzu.lib.forms import ProductForm
from zhongxinzu.org.models import Unit


def _password_field(label: str, autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(ProductForm):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}
        ),
    )
    password = _password_field("密码", "current-password")


class NewPasswordForm(ProductForm):
    """A new password typed twice. The policy itself is checked by the service."""

    password = _password_field("新密码")
    password2 = _password_field("确认新密码")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = "".join(
            password_validation.password_validators_help_texts()
        )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的新密码不一致")
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = _password_field("当前密码", "current-password")
    field_order = ["old_password", "password", "password2"]

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确")
        return value


class UserEditForm(ProductForm):
    full_name = forms.CharField(label="姓名", max_length=150)
    person_id = forms.IntegerField(
        label="人员编号",
        required=False,
        min_value=1,
        help_text=(
            "可选。人员页面地址 /org/people/编号/ 中的数字；"
            "关联后该账号按此人在名册中的身份取得业务权限。"
        ),
    )


class PersonLinkForm(ProductForm):
    person_id = forms.IntegerField(
        label="人员编号",
        required=False,
        min_value=1,
        help_text=(
            "人员页面地址 /org/people/编号/ 中的数字；留空则解除关联。"
            "关联后该账号按此人在名册中的身份取得业务权限。"
        ),
    )


class UserCreateForm(UserEditForm, NewPasswordForm):
    username = forms.CharField(
        label="用户名", max_length=150, help_text="字母、数字和 @ . + - _，创建后不能修改。"
    )
    field_order = ["username", "full_name", "person_id", "password", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "初始密码"
        self.fields["password2"].label = "确认初始密码"


class GrantForm(ProductForm):
    username = forms.CharField(label="用户名", max_length=150)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    unit_code = forms.CharField(
        label="督导范围（单位编码）",
        max_length=40,
        required=False,
        help_text="仅督导角色需要：该单位及其全部下级单位。",
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        self.cleaned_data["user"] = User.objects.filter(username=username).first()
        if self.cleaned_data["user"] is None:
            raise forms.ValidationError("未找到该用户名的账号")
        return username

    def clean_unit_code(self):
        code = self.cleaned_data["unit_code"].strip()
        self.cleaned_data["unit"] = None
        if code:
            self.cleaned_data["unit"] = Unit.objects.filter(code=code).first()
            if self.cleaned_data["unit"] is None:
                raise forms.ValidationError("未找到该单位编码")
        return code


class OtpForm(ProductForm):
    token = forms.CharField(
        label="动态口令",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "pattern": "[0-9]*",
            }
        ),
    )
