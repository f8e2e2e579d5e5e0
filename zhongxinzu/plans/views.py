"""Pages for study prompts (学习提示), the first-item pool (第一议题) and year plans (学习计划)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.documents.lists import stamp
from zhongxinzu.lib.downloads import stored_file_response
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    posted_version,
    querystring_without_page,
    role_required,
    year_param,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.plans import exports, forms, perms, selectors, services
from zhongxinzu.plans.models import FirstItem, PromptAck, PromptAttachment
from zhongxinzu.rules.services import rulebook_for, rulebooks_for

business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
supervisors = role_required(lambda p: p.is_supervisor)
item_writers = role_required(lambda p: p.is_supervisor or bool(p.secretary_group_ids()))


def split_by_state(request, groups, q, *, done: str, pending: str):
    """The tracking pages' "all / done / pending" tabs: (the groups ?state= asks for, how
    many groups in all, how many match `q`, the state)."""
    total = groups.count()
    n_done = groups.filter(q).count()
    state = request.GET.get("state", "")
    if state == done:
        groups = groups.filter(q)
    elif state == pending:
        groups = groups.exclude(q)
    return groups, total, n_done, state


# --- prompts ---------------------------------------------------------------------------


@require_GET
@business
def prompt_list(request):
    p = access.principal_of(request.user)
    qs = selectors.prompts_visible(request.user).select_related("issuer_unit")
    if year := year_param(request):
        qs = qs.filter(year=year)
    if p.group_roles:
        mine = PromptAck.objects.filter(prompt=OuterRef("pk"), group_id__in=list(p.group_roles))
        qs = qs.annotate(acked=Exists(mine))
    if p.supervised:
        # Acknowledgements by the groups the viewer supervises only: a prompt from above is
        # also acknowledged by groups of sibling subtrees, which are not theirs to count.
        acks = (
            PromptAck.objects.filter(
                access.subtree_q(p.supervised, "group__unit__"), prompt=OuterRef("pk")
            )
            .order_by()
            .values("prompt")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(ack_count=Subquery(acks))
    page = paginate(request, qs.order_by("-year", "-quarter", "-id"))
    _mark_overdue(request.user, page)
    return render(
        request,
        "plans/prompt_list.html",
        {
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_create": bool(perms.issuer_units(request.user)),
            "year": year,
        },
    )


def _mark_overdue(user, prompts) -> None:
    """Flag the prompts the user's group has not acknowledged within prompt_ack_days."""
    p = access.principal_of(user)
    if not p.group_roles:
        return
    group = StudyGroup.objects.select_related("unit").get(pk=next(iter(p.group_roles)))
    books = {}
    for prompt in prompts:
        if prompt.year not in books:
            books[prompt.year] = rulebook_for(group.unit, prompt.year)
        prompt.deadline = selectors.prompt_ack_deadline(prompt, books[prompt.year])
        prompt.overdue = (
            not prompt.acked and prompt.deadline and timezone.localdate() > prompt.deadline
        )


@require_http_methods(["GET", "POST"])
@supervisors
def prompt_create(request):
    units = perms.issuer_units(request.user)
    form = forms.PromptForm(
        request.POST or None,
        units=units,
        initial={
            "year": forms.this_year(),
            "quarter": forms.this_quarter(),
            "issuer_unit": units[0],
        },
    )
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            prompt = services.prompt_create(actor=request.user, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "学习提示已保存为草稿，可添加附件后下发")
            return redirect("plans:prompt_detail", pk=prompt.pk)
    return render(request, "plans/prompt_form.html", {"form": form})


def _prompt_for(request, pk, *, write=False):
    check = (lambda prompt: perms.can_edit_prompt(request.user, prompt)) if write else None
    qs = selectors.prompts_visible(request.user).select_related("issuer_unit", "created_by")
    return access.get_in(qs, pk, writable=check)


@require_GET
@business
def prompt_detail(request, pk):
    return _prompt_page(request, _prompt_for(request, pk))


def _prompt_page(request, prompt, *, attachment_form=None, status=200):
    p = access.principal_of(request.user)
    issued = prompt.status == prompt.Status.ISSUED
    my_acks = PromptAck.objects.filter(prompt=prompt, group_id__in=list(p.group_roles))
    context = {
        "prompt": prompt,
        "attachments": prompt.attachments.order_by("id"),
        "can_edit": perms.can_edit_prompt(request.user, prompt),
        "my_acks": my_acks.select_related("group", "acknowledged_by"),
        "ack_groups": perms.ack_group_ids(request.user, prompt) if issued else [],
        "attachment_form": attachment_form or forms.AttachmentForm(),
    }
    acked = {a.group_id for a in context["my_acks"]}
    context["ack_choices"] = StudyGroup.objects.filter(
        pk__in=[g for g in context["ack_groups"] if g not in acked]
    ).order_by("unit__path")
    if issued and perms.follows_up(request.user, prompt.issuer_unit):
        context.update(_prompt_tracking(request, prompt))
    return render(request, "plans/prompt_detail.html", context, status=status)


def _prompt_tracking(request, prompt) -> dict:
    """Every group of the issuer's subtree (within the viewer's scope), acknowledged or not."""
    groups = selectors.groups_below(prompt.issuer_unit, request.user)
    groups, total, acked, state = split_by_state(
        request, groups, selectors.acked_q(prompt), done="acked", pending="pending"
    )
    page = paginate(request, groups)
    page_groups = list(page)
    books = rulebooks_for([g.unit for g in page_groups], prompt.year)
    return {
        "tracking": True,
        "page_obj": page,
        "rows": selectors.prompt_ack_rows(prompt, page_groups, books),
        "total": total,
        "acked": acked,
        "pending": total - acked,
        "state": state,
        "querystring_base": querystring_without_page(request),
    }


@require_http_methods(["GET", "POST"])
@supervisors
def prompt_edit(request, pk):
    prompt = _prompt_for(request, pk, write=True)
    if prompt.status != prompt.Status.DRAFT:
        messages.error(request, "学习提示已下发，不能再修改；如需调整请另发补充通知")
        return redirect("plans:prompt_detail", pk=prompt.pk)
    fields = ("issuer_unit", "year", "quarter", "title", "themes", "version")
    initial = {f: getattr(prompt, f) for f in fields}
    initial |= {"discussion_focus": prompt.discussion_focus, "readings": prompt.readings}
    initial["expected_outputs"] = prompt.expected_outputs
    form = forms.PromptForm(
        request.POST or None, units=perms.issuer_units(request.user), initial=initial
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.prompt_update(
                actor=request.user, prompt=prompt, expected_version=version, **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "学习提示已保存")
            return redirect("plans:prompt_detail", pk=prompt.pk)
    return render(request, "plans/prompt_form.html", {"form": form, "prompt": prompt})


@require_POST
@supervisors
def prompt_issue(request, pk):
    prompt = _prompt_for(request, pk, write=True)
    try:
        services.prompt_issue(
            actor=request.user, prompt=prompt, expected_version=posted_version(request)
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "学习提示已下发，下级各中心组可查看并签收")
    return redirect("plans:prompt_detail", pk=prompt.pk)


@require_POST
@supervisors
def prompt_delete(request, pk):
    prompt = _prompt_for(request, pk, write=True)
    try:
        services.prompt_delete(actor=request.user, prompt=prompt)
    except ValidationError as e:
        fail(request, e)
        return redirect("plans:prompt_detail", pk=prompt.pk)
    messages.success(request, f"已删除草稿“{prompt.title}”")
    return redirect("plans:prompt_list")


@require_POST
@supervisors
def attachment_add(request, pk):
    prompt = _prompt_for(request, pk, write=True)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.prompt_attachment_add(
                actor=request.user, prompt=prompt, upload=form.cleaned_data["file"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "附件已上传")
            return redirect("plans:prompt_detail", pk=prompt.pk)
    # A refused file: the page again with the form and its reason.
    return _prompt_page(request, prompt, attachment_form=form, status=422)


def _attachment_for(request, pk, *, write=False) -> PromptAttachment:
    qs = PromptAttachment.objects.filter(
        prompt__in=selectors.prompts_visible(request.user)
    ).select_related("prompt__issuer_unit")
    check = (lambda a: perms.can_edit_prompt(request.user, a.prompt)) if write else None
    return access.get_in(qs, pk, writable=check)


@require_GET
@business
def attachment_download(request, pk):
    attachment = _attachment_for(request, pk)
    return stored_file_response(request, attachment.file, attachment.name, obj=attachment)


@require_POST
@supervisors
def attachment_delete(request, pk):
    attachment = _attachment_for(request, pk, write=True)
    try:
        services.prompt_attachment_delete(actor=request.user, attachment=attachment)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已删除附件“{attachment.name}”")
    return redirect("plans:prompt_detail", pk=attachment.prompt_id)


@require_POST
@business
def prompt_ack(request, pk):
    prompt = _prompt_for(request, pk)
    choices = perms.ack_group_ids(request.user, prompt)
    if not choices:
        raise PermissionDenied("只有本中心组的学习秘书或组长可以签收")
    raw = request.POST.get("group", "")
    group_id = int(raw) if raw.isdigit() else choices[0]
    if group_id not in choices:
        raise PermissionDenied("只能为本人担任学习秘书或组长的中心组签收")
    group = StudyGroup.objects.get(pk=group_id)
    try:
        services.prompt_acknowledge(actor=request.user, prompt=prompt, group=group)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"{group.name}已签收该学习提示")
    return redirect("plans:prompt_detail", pk=prompt.pk)


# --- first items -----------------------------------------------------------------------


def first_item_list_queryset(user, params):
    """The first-item list's rows: scope, the page's filters, "studied" for group members,
    page order."""
    p = access.principal_of(user)
    qs = selectors.first_items_visible(user).select_related("owner_unit")
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(title__contains=q) | Q(source__contains=q))
    if (kind := params.get("kind")) in FirstItem.Kind.values:
        qs = qs.filter(kind=kind)
    raw = params.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        qs = qs.filter(released_on__year=int(raw))
    if p.group_roles:
        qs = qs.annotate(studied=_studied_by(list(p.group_roles)))
    return qs.order_by("-released_on", "-id")


@require_GET
@business
def first_item_list_xlsx(request):
    p = access.principal_of(request.user)
    data = exports.first_items_xlsx(
        items=first_item_list_queryset(request.user, request.GET),
        show_restricted=p.is_supervisor or bool(p.staff_group_ids()),
        show_studied=bool(p.group_roles),
    )
    return xlsx_response(
        request, f"第一议题_{stamp()}.xlsx", data, action="export", detail={"list": "first_items"}
    )


@require_GET
@business
def first_item_list(request):
    p = access.principal_of(request.user)
    page = paginate(request, first_item_list_queryset(request.user, request.GET))
    return render(
        request,
        "plans/first_item_list.html",
        {
            "page_obj": page,
            "kinds": FirstItem.Kind.choices,
            "querystring_base": querystring_without_page(request),
            "can_create": perms.first_item_units(request.user).exists(),
            "show_restricted": p.is_supervisor or bool(p.staff_group_ids()),
        },
    )


def _studied_by(group_ids: list[int]) -> Exists:
    from zhongxinzu.meetings.models import AgendaItem

    return Exists(
        AgendaItem.objects.filter(
            first_item=OuterRef("pk"),
            session__group_id__in=group_ids,
            session__status__in=selectors.HELD_STATES,
        )
    )


@require_http_methods(["GET", "POST"])
@item_writers
def first_item_create(request):
    units = perms.first_item_units(request.user)
    form = forms.FirstItemForm(
        request.POST or None, units=units, initial={"owner_unit": units.first()}
    )
    if form.is_valid():
        try:
            item = services.first_item_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "已加入第一议题库")
            return redirect("plans:first_item_detail", pk=item.pk)
    return render(request, "plans/first_item_form.html", {"form": form})


def _item_for(request, pk, *, write=False) -> FirstItem:
    qs = selectors.first_items_visible(request.user).select_related("owner_unit", "created_by")
    check = (lambda item: perms.can_write_first_item(request.user, item)) if write else None
    return access.get_in(qs, pk, writable=check)


@require_GET
@business
def first_item_detail(request, pk):
    item = _item_for(request, pk)
    p = access.principal_of(request.user)
    groups = selectors.groups_below(item.owner_unit, request.user)
    groups, total, studied, state = split_by_state(
        request, groups, selectors.studied_q(item), done="studied", pending="pending"
    )
    page = paginate(request, groups)
    page_groups = list(page)
    books = rulebooks_for([g.unit for g in page_groups], item.released_on.year)
    return render(
        request,
        "plans/first_item_detail.html",
        {
            "item": item,
            "page_obj": page,
            "rows": selectors.first_item_rows(item, page_groups, books),
            "total": total,
            "studied": studied,
            "pending": total - studied,
            "state": state,
            "querystring_base": querystring_without_page(request),
            "can_write": perms.can_write_first_item(request.user, item),
            "show_restricted": p.is_supervisor or bool(p.staff_group_ids()),
        },
    )


@require_http_methods(["GET", "POST"])
@item_writers
def first_item_edit(request, pk):
    item = _item_for(request, pk, write=True)
    fields = ("title", "kind", "released_on", "source", "summary", "restricted")
    form = forms.FirstItemForm(
        request.POST or None, units=None, initial={f: getattr(item, f) for f in fields}
    )
    if form.is_valid():
        try:
            services.first_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "议题已保存")
            return redirect("plans:first_item_detail", pk=item.pk)
    return render(request, "plans/first_item_form.html", {"form": form, "item": item})


@require_POST
@item_writers
def first_item_delete(request, pk):
    item = _item_for(request, pk, write=True)
    try:
        services.first_item_delete(actor=request.user, item=item)
    except ValidationError as e:
        fail(request, e)
        return redirect("plans:first_item_detail", pk=item.pk)
    messages.success(request, f"已删除议题“{item.title}”")
    return redirect("plans:first_item_list")
