from django import forms

from zhongxinzu.lib.forms import ProductForm


def _area(rows: int):
    return forms.Textarea(attrs={"rows": rows})


class ReportTextForm(ProductForm):
    """The editable parts of the annual report; a line starting with （一） 1. … becomes a
    heading of that level in the document."""

    intro = forms.CharField(label="开头语", widget=_area(4), max_length=4000, required=False)
    practices = forms.CharField(
        label="主要做法与成效（列在“一、完成情况”的数字之后）",
        widget=_area(10),
        max_length=20000,
        required=False,
    )
    problems = forms.CharField(label="存在的问题和不足", widget=_area(8), max_length=20000)
    next_steps = forms.CharField(label="下步工作打算", widget=_area(8), max_length=20000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
