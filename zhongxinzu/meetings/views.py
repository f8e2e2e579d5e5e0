"""Pages of the study sessions: list, calendar, planning, detail, recording, printable record
and minutes, attachments. Attendance, QR sign-in, leave and make-up pages are in
attendance_views.py."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhongxinzu.documents.lists import stamp
from zhongxinzu.lib.downloads import stored_file_response
from zhongxinzu.lib.views import (
    apply_errors,
    fail,
    paginate,
    querystring_without_page,
    role_required,
)
from zhongxinzu.lib.xlsx import xlsx_response
from zhongxinzu.meetings import exports, selectors, services
from zhongxinzu.meetings.forms import (
    AttachmentForm,
    RecordForm,
    SessionForm,
    SpeakerFormSet,
)
from zhongxinzu.meetings.models import (
    AgendaItem,
    LeaveRequest,
    SessionAttachment,
    StudySession,
)
from zhongxinzu.org import access
from zhongxinzu.org.models import Person, Unit
from zhongxinzu.plans.models import PlanTopic
from zhongxinzu.rules.services import rulebook_for

business = role_required(lambda p: p.is_supervisor or bool(p.group_roles))
group_members = role_required(lambda p: bool(p.group_roles))

GROUP_CHOICES_MAX = 200


def sessions_for(user):
    return access.by_group(user, StudySession.objects.select_related("group__unit"))


def get_session(user, pk, *, write: bool = False) -> StudySession:
    writable = (lambda s: access.can_record_for_group(user, s.group_id)) if write else None
    return access.get_in(sessions_for(user), pk, writable=writable)


def _can_read_records(user, session: StudySession) -> bool:
    """Names and reasons of the roll, and the printed record: group staff and supervisors."""
    p = access.principal_of(user)
    return session.group_id in p.staff_group_ids() or access.in_subtree(
        session.group.unit, p.supervised
    )


# --- list and calendar -------------------------------------------------------------------


def session_list_queryset(user, params):
    has_first = AgendaItem.objects.filter(session=OuterRef("pk"), first_item__isnull=False)
    qs = sessions_for(user).annotate(has_first_item=Exists(has_first))
    if (year := year_param(params)) is not None:
        start, end = selectors.year_bounds(year)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    if (on := parse_date(params.get("on") or "")) is not None:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(on, dt.time.min, tzinfo=tz)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    if (first := _month_start(params.get("month", ""))) is not None:
        after = (first + dt.timedelta(days=32)).replace(day=1)
        qs = qs.filter(starts_at__gte=first, starts_at__lt=after)
    if (under := params.get("under", "")).isdigit():  # a unit's subtree (the 驾驶舱's links)
        qs = qs.filter(access.subtree_q(Unit.objects.filter(pk=int(under)), "group__unit__"))
    if (kind := params.get("kind")) in StudySession.Kind.values:
        qs = qs.filter(kind=kind)
    if (status := params.get("status")) in StudySession.Status.values:
        qs = qs.filter(status=status)
    elif status == "done":  # held or recorded: the sessions the rules count
        qs = qs.filter(status__in=[StudySession.Status.HELD, StudySession.Status.RECORDED])
    if (group := params.get("group", "")).isdigit():
        qs = qs.filter(group_id=int(group))
    if unit := params.get("unit", "").strip():
        qs = qs.filter(group__unit__name__contains=unit)
    if q := params.get("q", "").strip():
        qs = qs.filter(title__contains=q)
    return qs.order_by("-starts_at", "-id")


def _month_start(value: str) -> dt.datetime | None:
    """?month=YYYY-MM as the month's first moment in the site's time zone."""
    try:
        year, month = (int(x) for x in value.split("-"))
        return dt.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())
    except ValueError:
        return None


def year_param(params) -> int | None:
    value = params.get("year", "")
    if value == "all" or params.get("on"):
        return None
    return (
        int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year
    )


def _filter_context(request) -> dict:
    groups = list(
        access.scoped_groups(request.user)
        .select_related("unit")
        .order_by("unit__path")[: GROUP_CHOICES_MAX + 1]
    )
    this_year = timezone.localdate().year
    return {
        "groups": groups if len(groups) <= GROUP_CHOICES_MAX else None,
        "years": range(this_year + 1, this_year - 4, -1),
        "kinds": StudySession.Kind.choices,
        "statuses": StudySession.Status.choices,
        "secretary_groups": access.principal_of(request.user).secretary_group_ids(),
    }


@require_GET
@business
def session_list(request):
    page = paginate(request, session_list_queryset(request.user, request.GET))
    rates = selectors.session_rates(session_ids=[s.pk for s in page])
    for s in page:
        s.rate = rates.get(s.pk)
    return render(
        request,
        "meetings/session_list.html",
        {
            "page_obj": page,
            "year": year_param(request.GET),
            "querystring_base": querystring_without_page(request),
            **_filter_context(request),
        },
    )


@require_GET
@business
def session_list_xlsx(request):
    year = year_param(request.GET)
    on = parse_date(request.GET.get("on") or "")
    period = f"{on:%Y-%m-%d}" if on else (f"{year}年" if year else "全部年度")
    data = exports.sessions_xlsx(
        sessions=session_list_queryset(request.user, request.GET),
        caption=f"集体学习一览（{period}）",
    )
    return xlsx_response(
        request, f"集体学习_{stamp()}.xlsx", data, action="export", detail={"list": "sessions"}
    )


@require_GET
@business
def session_calendar(request):
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    tz = timezone.get_current_timezone()
    qs = session_list_queryset(request.user, {**request.GET.dict(), "year": "all"}).filter(
        starts_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        starts_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    counts = dict(
        qs.annotate(day=TruncDate("starts_at")).order_by().values_list("day").annotate(Count("pk"))
    )
    by_day = defaultdict(list)
    for s in qs.order_by("starts_at")[:500]:
        day = timezone.localtime(s.starts_at).date()
        if len(by_day[day]) < 4:
            by_day[day].append(s)
    weeks = [
        [(d, by_day.get(d, []), counts.get(d, 0)) for d in week]
        for week in calendar.Calendar().monthdatescalendar(first.year, first.month)
    ]
    return render(
        request,
        "meetings/session_calendar.html",
        {
            "first": first,
            "weeks": weeks,
            "today": today,
            "prev": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
            "group_param": request.GET.get("group", ""),
            **_filter_context(request),
        },
    )


# --- plan and edit -----------------------------------------------------------------------


def _group_to_plan(request):
    """The group a new session is for: ?group=, else the user's (first) secretary group."""
    group_id = request.GET.get("group") or request.POST.get("group")
    if not group_id:
        ids = access.principal_of(request.user).secretary_group_ids()
        if not ids:
            raise PermissionDenied("只有学习秘书可以安排集体学习")
        group_id = min(ids)
    group = access.get_group_for(request.user, group_id)
    if not access.can_record_for_group(request.user, group.pk):
        raise PermissionDenied("只有本中心组的学习秘书可以安排集体学习")
    return group


def _people_for(group, day: dt.date, extra=()) -> QuerySet[Person]:
    ids = {e.person.pk for e in selectors.session_roster(group, on=day)} | set(extra)
    return Person.objects.filter(pk__in=ids).order_by("rank_order", "id")


def _session_form(request, group, session: StudySession | None = None):
    """The planning form and the speakers formset, and the saved session if it saved."""
    day = selectors.local_date(session) if session else timezone.localdate()
    current = [session.chair_id, session.lead_reader_id] if session else []
    current += [sp.person_id for sp in session.speakers.all()] if session else []
    people = _people_for(group, day, [pk for pk in current if pk])
    topics = PlanTopic.objects.filter(plan__group=group).select_related("plan")
    pool = selectors.first_item_pool(request.user, group)
    initial, speakers = {}, []
    if session is not None:
        initial = {f: getattr(session, f) for f in services.SESSION_FIELDS + ["version"]}
        initial["starts_at"] = timezone.localtime(session.starts_at)
        initial["ends_at"] = timezone.localtime(session.ends_at)
        agenda = list(session.agenda.all())
        initial["first_item"] = next((a.first_item for a in agenda if a.first_item_id), None)
        initial["agenda"] = "\n".join(a.title for a in agenda if not a.first_item_id)
        speakers = [{"person": s.person, "subtopic": s.subtopic} for s in session.speakers.all()]
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, initial=initial, people=people, topics=topics, first_items=pool)
    formset = SpeakerFormSet(data, prefix="sp", initial=speakers, form_kwargs={"people": people})
    if data is None or not (form.is_valid() and formset.is_valid()):
        return form, formset, None
    fields = dict(form.cleaned_data)
    version = fields.pop("version")
    fields["speakers"] = [
        (f["person"], f["subtopic"]) for f in formset.cleaned_data if f.get("person")
    ]
    try:
        if session is None:
            saved = services.session_create(
                actor=request.user, group=group, allowed_first_items=pool, **fields
            )
        else:
            saved = services.session_update(
                actor=request.user,
                session=session,
                expected_version=version,
                allowed_first_items=pool,
                **fields,
            )
    except ValidationError as e:
        apply_errors(form, e)
        return form, formset, None
    for warning in selectors.session_warnings(saved, _rules(saved)):
        messages.warning(request, warning)
    return form, formset, saved


def _rules(session: StudySession):
    return rulebook_for(session.group.unit, selectors.local_date(session).year)


@require_http_methods(["GET", "POST"])
@business
def session_create(request):
    group = _group_to_plan(request)
    form, formset, saved = _session_form(request, group)
    if saved is not None:
        messages.success(request, f"已安排集体学习“{saved.title}”")
        return redirect("meetings:session_detail", pk=saved.pk)
    return render(
        request,
        "meetings/session_form.html",
        {"form": form, "formset": formset, "group": group, "other_groups": _other_groups(request)},
    )


def _other_groups(request):
    ids = access.principal_of(request.user).secretary_group_ids()
    return access.scoped_groups(request.user).filter(pk__in=ids) if len(ids) > 1 else []


@require_http_methods(["GET", "POST"])
@business
def session_edit(request, pk):
    session = get_session(request.user, pk, write=True)
    if session.status == StudySession.Status.RECORDED:
        messages.error(request, services.LOCKED)
        return redirect("meetings:session_detail", pk=session.pk)
    form, formset, saved = _session_form(request, session.group, session)
    if saved is not None:
        messages.success(request, "学习安排已保存")
        return redirect("meetings:session_detail", pk=saved.pk)
    return render(
        request,
        "meetings/session_form.html",
        {"form": form, "formset": formset, "group": session.group, "session": session},
    )


# --- one session -------------------------------------------------------------------------


@require_GET
@business
def session_detail(request, pk):
    return _session_page(request, get_session(request.user, pk))


def _session_page(request, session, *, attachment_form=None, status=200):
    user, p = request.user, access.principal_of(request.user)
    records = _can_read_records(user, session)
    mine = session.attendance.filter(person_id=p.person_id).first() if p.person_id else None
    my_leave = session.leave_requests.filter(person_id=p.person_id).first() if p.person_id else None
    can_record = access.can_record_for_group(user, session.group_id)
    return render(
        request,
        "meetings/session_detail.html",
        {
            "session": session,
            "agenda": session.agenda.select_related("first_item"),
            "speakers": session.speakers.select_related("person"),
            "attachments": session.attachments.all(),
            "summary": selectors.attendance_summary(session),
            "show_names": records,
            "leaves": session.leave_requests.select_related("person") if records else [],
            "warnings": selectors.session_warnings(session, _rules(session)),
            "mine": mine,
            "my_leave": my_leave,
            "can_ask_leave": _can_ask_leave(session, p.person_id, my_leave),
            "can_record": can_record,
            "can_lead": access.can_lead_group(user, session.group_id),
            "attachment_form": (attachment_form or AttachmentForm()) if can_record else None,
            "started": timezone.now() >= session.starts_at,
        },
        status=status,
    )


def _can_ask_leave(session, person_id, my_leave) -> bool:
    open_leave = my_leave is not None and my_leave.status != LeaveRequest.Status.REFUSED
    return (
        not open_leave
        and session.status != StudySession.Status.RECORDED
        and timezone.now() <= session.ends_at
        and selectors.on_roster(session, person_id)
    )


@require_POST
@business
def session_mark_held(request, pk):
    session = get_session(request.user, pk, write=True)
    try:
        services.session_mark_held(actor=request.user, session=session)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, "已标记为已举行")
    return redirect("meetings:session_detail", pk=session.pk)


@require_http_methods(["GET", "POST"])
@business
def session_record(request, pk):
    session = get_session(request.user, pk, write=True)
    if session.status == StudySession.Status.RECORDED:
        messages.error(request, services.LOCKED)
        return redirect("meetings:session_detail", pk=session.pk)
    initial = {f: getattr(session, f) for f in ("content", "effect", "minutes", "version")}
    form = RecordForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.session_record(
                actor=request.user, session=session, expected_version=version, **data
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, "学习记录已完成，缺席和请假人员的补学任务已生成")
            return redirect("meetings:session_detail", pk=session.pk)
    return render(
        request,
        "meetings/session_record.html",
        {
            "form": form,
            "session": session,
            "summary": selectors.attendance_summary(session),
            "missing": services.attendance_missing(session),
        },
    )


def _print_context(request, pk) -> dict:
    session = get_session(request.user, pk)
    if not _can_read_records(request.user, session):
        raise PermissionDenied("打印学习记录仅限学习秘书、组长和督导人员")
    return {
        "session": session,
        "agenda": session.agenda.select_related("first_item"),
        "speakers": session.speakers.select_related("person"),
        "summary": selectors.attendance_summary(session),
        "attachments": session.attachments.all(),
        "printed_on": timezone.localdate(),
    }


@require_GET
@business
def session_print_record(request, pk):
    return render(request, "meetings/print_record.html", _print_context(request, pk))


@require_GET
@business
def session_print_minutes(request, pk):
    return render(request, "meetings/print_minutes.html", _print_context(request, pk))


# --- attachments -------------------------------------------------------------------------


@require_POST
@business
def attachment_upload(request, pk):
    session = get_session(request.user, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            att = services.attachment_add(
                actor=request.user, session=session, upload=form.cleaned_data["file"]
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已上传“{att.name}”")
            return redirect("meetings:session_detail", pk=session.pk)
    # A refused file: the page again with the form and its reason.
    return _session_page(request, session, attachment_form=form, status=422)


def _attachments(user):
    return access.by_group(
        user, SessionAttachment.objects.select_related("session"), "session__group"
    )


@require_GET
@business
def attachment_download(request, pk):
    att = access.get_in(_attachments(request.user), pk)
    return file_response(request, att.file, att.name, att)


def file_response(request, field, name: str, obj):
    return stored_file_response(request, field, name, obj=obj)


@require_POST
@business
def attachment_delete(request, pk):
    att = access.get_in(
        _attachments(request.user),
        pk,
        writable=lambda a: access.can_record_for_group(request.user, a.session.group_id),
    )
    try:
        services.attachment_delete(actor=request.user, attachment=att)
    except ValidationError as e:
        fail(request, e)
    else:
        messages.success(request, f"已删除“{att.name}”")
    return redirect("meetings:session_detail", pk=att.session_id)
