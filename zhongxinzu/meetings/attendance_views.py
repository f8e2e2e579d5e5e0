"""Attendance pages: roll-call, QR sign-in, leave, make-up study and "我的学习"."""

from __future__ import annotations

import base64
import io
from pathlib import PurePath

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.documents.lists import stamp
from zhongxinzu.lib.views import apply_errors, fail, paginate, querystring_without_page
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.meetings import exports, selectors, services
from zhongxinzu.meetings.forms import (
    LeaveDecisionForm,
    LeaveForm,
    MakeUpReviewForm,
    MakeUpSubmitForm,
    RollCallForm,
)
from zhongxinzu.meetings.models import Attendance, LeaveRequest, MakeUp, StudySession
from zhongxinzu.meetings.views import (
    business,
    file_response,
    get_session,
    group_members,
    sessions_for,
    year_param,
)
from zhongxinzu.org import access

# After a valid scan the browser may finish signing in (log in first, tap "确认签到")
# within this many seconds, even if the code on the screen has changed meanwhile.
SIGN_IN_PASS_SECONDS = 180
SIGN_IN_PASS_KEY = "meetings_sign_in_pass"


# --- attendance --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@business
def attendance_roll_call(request, pk):
    session = get_session(request.user, pk, write=True)
    if session.status == StudySession.Status.RECORDED:
        messages.error(request, services.LOCKED)
        return redirect("meetings:session_detail", pk=session.pk)
    entries = selectors.session_roster(session.group, on=selectors.local_date(session))
    leaves = {lr.person_id: lr for lr in session.leave_requests.exclude(status="refused")}
    rows = {a.person_id: a for a in session.attendance.all()}
    initial = {}
    for e in entries:
        e.leave = leaves.get(e.person.pk)
        if a := rows.get(e.person.pk):
            e.signed_in_at = a.signed_in_at
            initial[f"status_{a.person_id}"], initial[f"reason_{a.person_id}"] = a.status, a.reason
    form = RollCallForm(request.POST or None, entries=entries, initial=initial)
    if form.is_valid():
        try:
            services.attendance_save(actor=request.user, session=session, rows=form.cleaned_rows())
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "考勤已保存，缺席和请假人员的补学任务已生成")
            return redirect("meetings:session_detail", pk=session.pk)
    return render(
        request,
        "meetings/roll_call.html",
        {"form": form, "session": session},
    )


def _qr_payload(request, session: StudySession) -> dict:
    token = services.sign_in_token(session_id=session.pk)
    link = request.build_absolute_uri(reverse("meetings:sign_in", kwargs={"token": token}))
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {
        "src": f"data:image/svg+xml;base64,{encoded}",
        "expires_in": services.sign_in_token_expires_in(),
        "signed_in": session.attendance.filter(status__in=selectors.ATTENDED).count(),
    }


@never_cache
@require_GET
@business
def sign_in_qr(request, pk):
    session = get_session(request.user, pk, write=True)
    now = timezone.now()
    return render(
        request,
        "meetings/sign_in_qr.html",
        {
            "session": session,
            "qr": _qr_payload(request, session),
            "open": session.starts_at - services.SIGN_IN_OPENS_BEFORE <= now <= session.ends_at,
            "opens_at": session.starts_at - services.SIGN_IN_OPENS_BEFORE,
            "expected": selectors.attendance_summary(session).expected,
        },
    )


@never_cache
@require_GET
@business
def sign_in_qr_image(request, pk):
    session = get_session(request.user, pk, write=True)
    return JsonResponse(_qr_payload(request, session))


def _sign_in_pass(request, session_id: int | None) -> bool:
    """A valid scan by this browser within SIGN_IN_PASS_SECONDS (kept through a login)."""
    stored = request.session.get(SIGN_IN_PASS_KEY) or {}
    return (
        session_id is not None
        and stored.get("sid") == session_id
        and timezone.now().timestamp() - stored.get("at", 0) <= SIGN_IN_PASS_SECONDS
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request, token):
    """The URL in the QR code. A fresh code (this or the previous 30 s) signs in, and leaves
    a short pass in the browser's session so that logging in first or tapping "确认签到"
    after the code has changed still works; an older code or another session's fails."""
    session_id, error = services.sign_in_token_session(token), None
    try:
        services.sign_in_token_check(token)
    except ValidationError as e:
        error = e.messages[0]
    else:
        request.session[SIGN_IN_PASS_KEY] = {"sid": session_id, "at": timezone.now().timestamp()}
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _sign_in_member(request, token, session_id, error)


@group_members
def _sign_in_member(request, token, session_id, error):
    if error is not None and not _sign_in_pass(request, session_id):
        return render(request, "meetings/sign_in.html", {"error": error}, status=400)
    session = access.get_in(sessions_for(request.user), session_id)
    context = {"session": session, "token": token}
    if request.method == "POST":
        try:
            context["done"] = services.attendance_sign_in(actor=request.user, session=session)
        except ValidationError as e:
            context["error"] = e.messages[0]
            return render(request, "meetings/sign_in.html", context, status=400)
        request.session.pop(SIGN_IN_PASS_KEY, None)
    return render(request, "meetings/sign_in.html", context)


# --- leave -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@group_members
def leave_create(request, pk):
    session = get_session(request.user, pk)
    if not selectors.on_roster(session, request.user.person_id):
        raise PermissionDenied("您不在本次学习的参学名单中，无需请假")
    form = LeaveForm(request.POST or None)
    if form.is_valid():
        try:
            leave = services.leave_create(
                actor=request.user,
                session=session,
                person=request.user.person,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            late = "（学习开始后提出，已标记为事后请假）" if leave.is_late else ""
            messages.success(request, f"请假申请已提交，等待组长审批{late}")
            return redirect("meetings:session_detail", pk=session.pk)
    return render(request, "meetings/leave_form.html", {"form": form, "session": session})


def _leaves(user):
    return access.by_group_or_own(
        user,
        LeaveRequest.objects.select_related("session__group", "person", "decided_by"),
        "session__group",
        "person",
    )


def leave_list_queryset(user, params):
    """The leave list's rows: scope, the status filter (pending by default), page order."""
    qs = _leaves(user)
    if (status := params.get("status", "pending")) in LeaveRequest.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")


@require_GET
@business
def leave_list(request):
    status = request.GET.get("status", "pending")
    page = paginate(request, leave_list_queryset(request.user, request.GET))
    led = {
        g for g, roles in access.principal_of(request.user).group_roles.items() if "leader" in roles
    }
    return render(
        request,
        "meetings/leave_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": LeaveRequest.Status.choices,
            "led_groups": led,
            "querystring_base": querystring_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@business
def leave_decide(request, pk):
    leave = access.get_in(
        _leaves(request.user),
        pk,
        writable=lambda lr: access.can_lead_group(request.user, lr.session.group_id),
    )
    form = LeaveDecisionForm(request.POST or None)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        decide = services.leave_approve if approve else services.leave_refuse
        try:
            decide(actor=request.user, leave=leave, note=form.cleaned_data["note"])
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(
                request, f"已{'批准' if approve else '不批准'}{leave.person.name}的请假"
            )
            return redirect("meetings:leave_list")
    return render(request, "meetings/leave_decide.html", {"form": form, "leave": leave})


# --- make-up study -----------------------------------------------------------------------


def _makeups(user):
    return access.by_group_or_own(
        user,
        MakeUp.objects.select_related("attendance__person", "attendance__session__group"),
        "attendance__session__group",
        "attendance__person",
    )


def makeup_list_queryset(user, params):
    """The make-up list's rows: scope, the status and group filters, page order."""
    qs = _makeups(user)
    status = params.get("status", "")
    if status == "overdue":
        qs = qs.filter(selectors.makeup_overdue_q())
    elif status in MakeUp.Status.values:
        qs = qs.filter(status=status)
    if (group := params.get("group", "")).isdigit():
        qs = qs.filter(attendance__session__group_id=int(group))
    return qs.order_by("status", "due_date", "pk")


@require_GET
@business
def makeup_list(request):
    status = request.GET.get("status", "")
    page = paginate(request, makeup_list_queryset(request.user, request.GET))
    return render(
        request,
        "meetings/makeup_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": MakeUp.Status.choices,
            "today": timezone.localdate(),
            "querystring_base": querystring_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@business
def makeup_detail(request, pk):
    makeup = access.get_in(_makeups(request.user), pk)
    own = request.user.person_id == makeup.attendance.person_id
    if request.method == "POST" and not own:
        raise PermissionDenied("只有本人可以提交补学材料")
    form = MakeUpSubmitForm(
        request.POST or None, request.FILES or None, initial={"text": makeup.evidence_text}
    )
    if form.is_valid():
        try:
            services.makeup_submit(
                actor=request.user,
                makeup=makeup,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "补学材料已提交，等待学习秘书确认")
            return redirect("meetings:makeup_detail", pk=makeup.pk)
    return render(
        request,
        "meetings/makeup_detail.html",
        {
            "makeup": makeup,
            "session": makeup.attendance.session,
            "form": form if own and makeup.status != MakeUp.Status.CONFIRMED else None,
            "can_review": access.can_record_for_group(
                request.user, makeup.attendance.session.group_id
            ),
            "overdue": MakeUp.objects.filter(selectors.makeup_overdue_q(), pk=makeup.pk).exists(),
        },
        status=422 if request.method == "POST" else 200,  # reached on POST only when refused
    )


@require_POST
@business
def makeup_review(request, pk):
    makeup = access.get_in(
        _makeups(request.user),
        pk,
        writable=lambda m: access.can_record_for_group(request.user, m.attendance.session.group_id),
    )
    form = MakeUpReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择确认或退回")
        if form.cleaned_data["action"] == "confirm":
            services.makeup_confirm(actor=request.user, makeup=makeup)
            messages.success(request, f"已确认{makeup.attendance.person.name}完成补学")
        else:
            services.makeup_return(
                actor=request.user, makeup=makeup, note=form.cleaned_data["note"]
            )
            messages.success(request, f"已退回{makeup.attendance.person.name}的补学材料")
    except ValidationError as e:
        fail(request, e)
    return redirect("meetings:makeup_detail", pk=makeup.pk)


@require_GET
@business
def makeup_file(request, pk):
    makeup = access.get_in(_makeups(request.user), pk)
    if not makeup.evidence_file:
        raise Http404("未上传补学材料")
    suffix = PurePath(makeup.evidence_file.name).suffix
    name = f"补学材料-{makeup.attendance.person.name}{suffix}"
    return file_response(request, makeup.evidence_file, name, makeup)


# --- my study ----------------------------------------------------------------------------


@require_GET
@group_members
def my_study(request):
    p = access.principal_of(request.user)
    year = year_param(request.GET) or timezone.localdate().year
    start, end = selectors.year_bounds(year)
    sessions = list(
        StudySession.objects.filter(
            group_id__in=list(p.group_roles), starts_at__gte=start, starts_at__lt=end
        )
        .select_related("group")
        .order_by("starts_at")
    )
    mine = {
        a.session_id: a
        for a in Attendance.objects.filter(person_id=p.person_id, session__in=sessions)
    }
    for s in sessions:
        s.mine = mine.get(s.pk)
    now = timezone.now()
    return render(
        request,
        "meetings/my_study.html",
        {
            "year": year,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
            "upcoming": [s for s in sessions if s.ends_at >= now],
            "past": [s for s in reversed(sessions) if s.ends_at < now],
            "rate": selectors.person_participation(person_id=p.person_id, year=year),
            "leaves": LeaveRequest.objects.filter(person_id=p.person_id)
            .select_related("session")
            .order_by("-requested_at")[:20],
            "makeups": MakeUp.objects.filter(attendance__person_id=p.person_id)
            .exclude(status=MakeUp.Status.CONFIRMED)
            .select_related("attendance__session")
            .order_by("due_date"),
            "today": timezone.localdate(),
        },
    )


# --- exports -----------------------------------------------------------------------------


def _status_label(choices, status: str, default: str = "全部") -> str:
    return dict(choices).get(status, default)


@require_GET
@business
def leave_list_xlsx(request):
    status = request.GET.get("status", "pending")
    data = exports.leaves_xlsx(
        leaves=leave_list_queryset(request.user, request.GET),
        caption=f"请假申请（{_status_label(LeaveRequest.Status.choices, status)}）",
    )
    return xlsx_response(
        request, f"请假申请_{stamp()}.xlsx", data, action="export", detail={"list": "leave"}
    )


@require_GET
@business
def makeup_list_xlsx(request):
    status = request.GET.get("status", "")
    label = "已逾期" if status == "overdue" else _status_label(MakeUp.Status.choices, status)
    data = exports.makeups_xlsx(
        makeups=makeup_list_queryset(request.user, request.GET),
        caption=f"补学（{label}）",
        today=timezone.localdate(),
    )
    return xlsx_response(
        request, f"补学_{stamp()}.xlsx", data, action="export", detail={"list": "makeup"}
    )
