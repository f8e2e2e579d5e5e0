"""The one base class for every form: product wording and sensible bounds.

`ProductForm` walks its fields once per instance and
- replaces Django's stock messages ("确保该变量包含不超过 300 字符") with product wording;
- shows "请选择…" instead of "---------" as the empty option;
- gives every text field a length limit (names/short texts/long texts, lib.text), every
  name or title field the one name validator, every date a plausible range and every
  phone field the phone pattern;
- requires the optimistic-locking `version` of a record being edited (a POST without it
  would overwrite a newer edit): required whenever the form was built for an existing
  record (its initial carries a version) or the form only ever edits (`edits_only`).
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator

from zhongxinzu.lib import text
from zhongxinzu.lib.versioning import VERSION_MISSING

EMPTY_LABEL = "请选择…"

MESSAGES = {
    "max_length": "最多%(limit_value)d个字，当前%(show_value)d个字",
    "min_length": "至少%(limit_value)d个字，当前%(show_value)d个字",
    "max_value": "不能大于%(limit_value)s",
    "min_value": "不能小于%(limit_value)s",
    "invalid_choice": "请从列表中选择",
    "invalid_list": "请从列表中选择",
}
REQUIRED = {"text": "请填写此项", "choice": "请选择此项", "file": "请选择要上传的文件"}
INVALID = {
    forms.DateTimeField: "请输入有效的日期和时间，如2026-03-15 09:00",
    forms.DateField: "请输入有效的日期，如2026-03-15",
    forms.TimeField: "请输入有效的时间，如09:00",
    forms.IntegerField: "请输入整数",
    forms.DecimalField: "请输入数字",
    forms.FloatField: "请输入数字",
    forms.EmailField: "请输入有效的电子邮箱地址",
}


def is_name_field(name: str) -> bool:
    return name in {"name", "title"} or name.endswith(("_name", "_title"))


def is_phone_field(name: str) -> bool:
    return "phone" in name or name in {"mobile", "tel"}


def _required_message(field: forms.Field) -> str:
    if isinstance(field, forms.FileField):
        return REQUIRED["file"]
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField):
        return REQUIRED["choice"]
    return REQUIRED["text"]


def _blank_choice(choices):
    out = []
    for value, label in choices:
        if value in ("", None) and str(label).strip("-") == "":
            label = EMPTY_LABEL
        out.append((value, label))
    return out


def _stock(field: forms.Field, code: str) -> bool:
    """True when `code`'s message is missing or still Django's own (a form's own wins)."""
    if code not in field.error_messages:
        return True
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return str(field.error_messages[code]) == str(defaults.get(code, ""))


def apply_product_rules(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        field.error_messages = {**field.error_messages}
        for code, message in MESSAGES.items():
            if _stock(field, code):
                field.error_messages[code] = message
        if _stock(field, "required"):
            field.error_messages["required"] = _required_message(field)
        for kind, message in INVALID.items():
            if isinstance(field, kind):
                if _stock(field, "invalid"):
                    field.error_messages["invalid"] = message
                break
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = EMPTY_LABEL
        elif isinstance(field, forms.ChoiceField):
            field.choices = _blank_choice(field.choices)
        if isinstance(field, forms.CharField) and not isinstance(
            field, forms.EmailField | forms.URLField
        ):
            _bound_text(name, field)
        if (
            isinstance(field, forms.DateField | forms.DateTimeField)
            and text.validate_plausible_date not in field.validators
        ):
            field.validators.append(text.validate_plausible_date)
    if "version" in form.fields:
        editing = form.initial.get("version") is not None or getattr(form, "edits_only", False)
        form.fields["version"].required = editing
        form.fields["version"].error_messages["required"] = VERSION_MISSING


def _bound_text(name: str, field: forms.CharField) -> None:
    if field.max_length is None:
        long = isinstance(field.widget, forms.Textarea)
        field.max_length = text.LONG_TEXT_MAX if long else text.SHORT_TEXT_MAX
        field.validators.append(MaxLengthValidator(field.max_length))
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
    if is_name_field(name) and text.validate_name not in field.validators:
        field.validators.append(text.validate_name)
    if is_phone_field(name) and text.validate_phone not in field.validators:
        field.validators.append(text.validate_phone)


class ProductFormMixin:
    edits_only = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_product_rules(self)

    def full_clean(self):
        super().full_clean()
        # A missing version is not a field the user can fix: show it at the top.
        if self.is_bound and "version" in (self._errors or {}):
            errors = self._errors.pop("version")
            self._errors.setdefault("__all__", self.error_class(error_class="nonfield"))
            self._errors["__all__"].extend(errors)
            self.cleaned_data.pop("version", None)


class ProductForm(ProductFormMixin, forms.Form):
    pass
