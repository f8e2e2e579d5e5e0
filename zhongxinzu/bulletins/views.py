"""Pages for 学情通报: the list (issued by the supervisor's units, or received by the
user's group), a new draft, the draft edited section by section beside its figures, issue,
the issued bulletin with its versions and acknowledgements, and the .docx."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.bulletins import access as bulletin_access
from zhongxinzu.bulletins import forms, selectors, services
from zhongxinzu.bulletins.models import SECTIONS, BulletinRecipient
from zhongxinzu.documents.responses import docx_response
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    posted_version,
    querystring_without_page,
    role_required,
)
from zhongxinzu.org import access
from zhongxinzu.org.models import StudyGroup
from zhongxinzu.stats.periods import span_from

business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
supervisors = role_required(lambda p: p.is_supervisor)
SECTION_LABELS = dict(SECTIONS)


@require_GET
@business
def bulletin_list(request):
    p = access.principal_of(request.user)
    qs = bulletin_access.bulletins_visible(request.user).select_related("issuer_unit")
    counts = BulletinRecipient.objects.filter(bulletin=OuterRef("pk")).order_by().values("bulletin")
    qs = qs.annotate(
        recipient_count=Subquery(counts.annotate(n=Count("pk")).values("n")),
        acked_count=Subquery(
            counts.filter(acknowledged_at__isnull=False).annotate(n=Count("pk")).values("n")
        ),
    )
    if p.group_roles:
        mine = BulletinRecipient.objects.filter(
            bulletin=OuterRef("pk"), group_id__in=list(p.group_roles)
        )
        qs = qs.annotate(
            received=Exists(mine), acked=Exists(mine.filter(acknowledged_at__isnull=False))
        )
    page = paginate(request, qs.order_by("-start", "-id"))
    return render(
        request,
        "bulletins/list.html",
        {
            "page_obj": page,
            "querystring_base": querystring_without_page(request),
            "can_create": bool(bulletin_access.issuer_units(request.user)),
            "staff_groups": p.staff_group_ids(),
        },
    )


@require_http_methods(["GET", "POST"])
@supervisors
def bulletin_create(request):
    units = bulletin_access.issuer_units(request.user)
    form = forms.BulletinCreateForm(
        request.POST or None, units=units, initial={"issuer_unit": units[0], "period": "year"}
    )
    if form.is_valid():
        try:
            span = span_from(form.span_params(), default_year=form.fields["year"].initial)
            bulletin = services.bulletin_create(
                actor=request.user,
                issuer_unit=form.cleaned_data["issuer_unit"],
                span=span,
                doc_prefix=form.cleaned_data["doc_prefix"],
            )
            job = services.bulletin_start_draft(actor=request.user, bulletin=bulletin)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "通报草稿已建立，正在根据统计数据生成文稿")
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "bulletins/create.html", {"form": form})


def _detail_context(request, bulletin) -> dict:
    abilities = bulletin_access.bulletin_abilities(request.user, bulletin)
    context = {
        "bulletin": bulletin,
        "text": selectors.current_text(bulletin),
        "sections": [
            (key, label, selectors.current_text(bulletin)[key]) for key, label in SECTIONS
        ],
        "can": abilities,
        "figures": selectors.figure_rows(bulletin) if abilities["edit"] else [],
        "levels": [lv["label"] for lv in (bulletin.figures or {}).get("levels", [])],
        "stats_url": selectors.stats_url(bulletin),
        "problem_rows": bulletin.problem_rows,
    }
    if abilities["acknowledge"]:
        ids = bulletin_access.ack_group_ids(request.user, bulletin)
        context["my_receipts"] = BulletinRecipient.objects.filter(
            bulletin=bulletin, group_id__in=ids
        ).select_related("group", "acknowledged_by")
    else:
        p = access.principal_of(request.user)
        context["my_receipts"] = BulletinRecipient.objects.filter(
            bulletin=bulletin, group_id__in=list(p.group_roles)
        ).select_related("group", "acknowledged_by")
    if abilities["track"]:
        state = request.GET.get("state", "")
        page = paginate(request, selectors.recipients(bulletin, state))
        context |= {
            "page_obj": page,
            "counts": selectors.ack_counts(bulletin),
            "state": state,
            "querystring_base": querystring_without_page(request),
            "versions": bulletin.versions.select_related("created_by").order_by("-number"),
        }
    return context


@require_GET
@business
def bulletin_detail(request, pk):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk)
    return render(request, "bulletins/detail.html", _detail_context(request, bulletin))


@require_http_methods(["GET", "POST"])
@supervisors
def bulletin_section(request, pk, section):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk, write=True)
    text = selectors.current_text(bulletin)
    if section == "header":
        initial = {k: text[k] for k in ("title", "addressee", "cc")}
        initial |= {"doc_prefix": bulletin.doc_prefix, "version": bulletin.version}
        form = forms.HeaderForm(request.POST or None, initial=initial)
        label = "标题和主送机关"
    elif section in SECTION_LABELS:
        initial = {"text": text[section], "version": bulletin.version}
        form = forms.SectionForm(request.POST or None, initial=initial)
        label = SECTION_LABELS[section]
    else:
        raise Http404("没有这一部分")
    if not bulletin.is_issued:
        form.fields.pop("reason")
    elif "doc_prefix" in form.fields:
        form.fields.pop("doc_prefix")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        reason = data.pop("reason", "")
        if section != "header":
            data = {section: data["text"]}
        elif bulletin.is_issued:
            data.pop("doc_prefix", None)
        try:
            services.bulletin_update(
                actor=request.user,
                bulletin=bulletin,
                expected_version=posted_version(request),
                reason=reason,
                **data,
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request, f"{label}已保存" + ("，已形成新版本" if bulletin.is_issued else "")
            )
            return redirect("bulletins:detail", pk=bulletin.pk)
    return render(
        request,
        "bulletins/section.html",
        {"bulletin": bulletin, "form": form, "label": label, "section": section},
    )


@require_POST
@supervisors
def bulletin_practices(request, pk):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk, write=True)
    try:
        services.bulletin_choose_practices(
            actor=request.user,
            bulletin=bulletin,
            keys=request.POST.getlist("highlight"),
            expected_version=posted_version(request),
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已根据所选特色亮点写入“二、经验做法”，可继续修改")
    return redirect("bulletins:detail", pk=bulletin.pk)


@require_POST
@supervisors
def bulletin_regenerate(request, pk):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk, write=True)
    try:
        job = services.bulletin_start_draft(actor=request.user, bulletin=bulletin)
    except ValidationError as e:
        fail(request, e)
        return redirect("bulletins:detail", pk=bulletin.pk)
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@supervisors
def bulletin_issue(request, pk):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk, write=True)
    try:
        services.bulletin_issue(
            actor=request.user, bulletin=bulletin, expected_version=posted_version(request)
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"通报已印发，文号{bulletin.doc_number}，已发送下级各中心组")
    return redirect("bulletins:detail", pk=bulletin.pk)


@require_POST
@business
def bulletin_acknowledge(request, pk):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk)
    choices = bulletin_access.ack_group_ids(request.user, bulletin)
    raw = request.POST.get("group", "")
    group_id = int(raw) if raw.isdigit() else (choices[0] if choices else None)
    if group_id not in choices:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有本中心组的学习秘书或组长可以签收")
    try:
        services.bulletin_acknowledge(
            actor=request.user, bulletin=bulletin, group=StudyGroup.objects.get(pk=group_id)
        )
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已签收")
    return redirect("bulletins:detail", pk=bulletin.pk)


@require_GET
@business
def bulletin_download(request, pk):
    bulletin = bulletin_access.get_bulletin_for(request.user, pk)
    if not bulletin.drafted_at:
        messages.error(request, "通报文稿尚未生成")
        return redirect("bulletins:detail", pk=bulletin.pk)
    return docx_response(
        request,
        selectors.filename(bulletin),
        selectors.docx_bytes(bulletin),
        obj=bulletin,
        action="document",
    )
