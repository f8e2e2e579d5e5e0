"""Request and response schemas. Input schemas list every writable field and refuse any
other (no mass assignment); bounds match the model columns so bad input is a 4xx, never a
database error."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from zhongxinzu.compliance.engine import CHECK_BY_KEY
from zhongxinzu.meetings.models import Attendance, LeaveRequest, MakeUp, StudySession
from zhongxinzu.org.models import Membership, Person, PostCategory, Unit
from zhongxinzu.outputs.models import Conversion, Output
from zhongxinzu.plans.models import FirstItem, Prompt, YearPlan

MAX_ID = 2**63 - 1
MAX_ORDER = 99999


def _printable(value: str) -> str:
    # NUL cannot be stored by PostgreSQL and lone surrogates cannot be encoded as UTF-8.
    if "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("包含不允许的字符")
    return value


def Text(max_length: int):  # noqa: N802 - reads as a type in annotations
    """A string of at most `max_length` characters, trimmed as the UI's forms trim it."""
    return Annotated[
        str, Field(max_length=max_length), AfterValidator(_printable), AfterValidator(str.strip)
    ]


Secret = Annotated[str, Field(max_length=256), AfterValidator(_printable)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_VERSION = 2**31 - 1  # the version column is a 32-bit integer on PostgreSQL
Version = Annotated[
    int, Field(ge=1, le=MAX_VERSION, description="读取时得到的版本号，用于防止覆盖他人修改")
]
Order = Annotated[int, Field(ge=0, le=MAX_ORDER)]
Kind = Literal[tuple(Unit.Kind.values)]
Gender = Literal[tuple(Person.Gender.values)]
MemberRole = Literal[tuple(Membership.Role.values)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- errors and pages ------------------------------------------------------------------


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="中文错误信息")
    field: str | None = Field(None, description="出错的字段（如有）")
    errors: list[FieldError] = Field(default_factory=list)


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="每页条数（最多200）")
    offset: int = Field(0, ge=0, le=10**9, description="跳过的条数")


# --- auth ------------------------------------------------------------------------------


class TokenIn(In):
    username: Text(150)
    password: Secret
    otp_token: Text(16) = Field(
        None, description="已绑定动态口令（TOTP）的账号必填：手机令牌上的6位数字"
    )


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    roles_label: str


# --- units -----------------------------------------------------------------------------


class UnitFilters(PageParams):
    q: Text(100) = Field(None, description="名称包含，或编码等于")
    kind: Kind = None
    parent: Id = Field(None, description="只列出该单位的直接下级")
    active: bool = Field(None, description="按启用状态筛选；不填则全部")


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    order: int
    is_active: bool
    depth: int
    parent_id: int | None = Field(description="上级单位（不在您查看范围内时为空）")
    group_id: int | None
    version: int


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


class UnitCreateIn(In):
    parent: Id = Field(description="上级单位")
    name: Text(100)
    code: Text(40)
    kind: Kind
    order: Order = 100


class UnitUpdateIn(In):
    version: Version
    name: Text(100) = None
    code: Text(40) = None
    kind: Kind = None
    order: Order = None
    is_active: bool = None
    parent: Id = Field(None, description="移动到该单位之下")


# --- groups ----------------------------------------------------------------------------


class GroupFilters(PageParams):
    unit: Id = None
    q: Text(100) = Field(None, description="名称包含")


class GroupOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    name: str
    is_active: bool
    member_count: int = Field(description="今日在册人数")
    version: int


class GroupPage(Schema):
    items: list[GroupOut]
    count: int


class GroupCreateIn(In):
    unit: Id
    name: Text(120) = Field("", description="不填则为“单位名称+理论学习中心组”")


class GroupUpdateIn(In):
    version: Version
    name: Text(120)


# --- people ----------------------------------------------------------------------------


class PersonFilters(PageParams):
    q: Text(100) = Field(None, description="姓名或职务包含")
    unit: Id = None
    active: bool = None


class PersonOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    name: str
    gender: str
    post: str
    post_category: str = Field(description="职务类别（名册必备职务按此核对），空为未分类")
    rank_order: int
    phone: str = Field(description="本单位以外显示为脱敏号码")
    is_active: bool
    version: int


class PersonPage(Schema):
    items: list[PersonOut]
    count: int


PostCategoryIn = Literal[("", *PostCategory.values)]


class PersonCreateIn(In):
    unit: Id
    name: Text(40)
    gender: Gender
    post: Text(100) = ""
    post_category: PostCategoryIn = ""
    rank_order: Order = 100
    phone: Text(20) = ""


class PersonUpdateIn(In):
    version: Version
    name: Text(40) = None
    gender: Gender = None
    post: Text(100) = None
    post_category: PostCategoryIn = None
    rank_order: Order = None
    phone: Text(20) = None
    is_active: bool = Field(None, description="false：停用并结束其在任中心组身份")


# --- memberships -----------------------------------------------------------------------


class MembershipFilters(PageParams):
    group: Id = None
    person: Id = None
    on: dt.date = Field(None, description="只列出该日在册的成员")
    role: MemberRole = None


class MembershipOut(Schema):
    id: int
    group_id: int
    person_id: int
    person_name: str
    role: str
    role_label: str
    start_date: dt.date
    end_date: dt.date | None
    note: str
    version: int


class MembershipPage(Schema):
    items: list[MembershipOut]
    count: int


class MembershipCreateIn(In):
    group: Id
    person: Id
    role: MemberRole
    start_date: dt.date
    end_date: dt.date | None = None
    note: Text(200) = ""


class MembershipUpdateIn(In):
    version: Version
    role: MemberRole = None
    start_date: dt.date = None
    end_date: dt.date | None = None
    note: Text(200) = None


# === the study cycle ===================================================================
#
# Prompts, first items, plans, sessions, attendance, leave, make-up study, outputs,
# conversions, rules and compliance. Their choices come from the models, so a new choice
# there is a new accepted value here.

MIN_YEAR, MAX_YEAR = 2000, 2100
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR, description="年度（四位数字）")]
Quarter = Annotated[int, Field(ge=1, le=4)]
Month = Annotated[int, Field(ge=1, le=12)]
TopicOrder = Annotated[int, Field(ge=1, le=999)]


def _day_in_range(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"日期应在{MIN_YEAR}年至{MAX_YEAR}年之间")
    return value


def _moment(value: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"时间应在{MIN_YEAR}年至{MAX_YEAR}年之间")
    if timezone.is_naive(value):
        # A time without an offset is Beijing time, as on the pages.
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


Day = Annotated[dt.date, AfterValidator(_day_in_range)]
Moment = Annotated[
    dt.datetime,
    AfterValidator(_moment),
    Field(description="ISO 8601；不带时区的按北京时间"),
]


def _choices(model_choices) -> type:
    return Literal[tuple(model_choices.values)]


class AttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: dt.datetime


# --- prompts ---------------------------------------------------------------------------

PromptStatus = _choices(Prompt.Status)
FirstItemKind = _choices(FirstItem.Kind)
PlanStatus = _choices(YearPlan.Status)


class PromptFilters(PageParams):
    year: Year = None
    quarter: Quarter = None
    status: PromptStatus = None
    issuer_unit: Id = Field(None, description="下发单位")
    q: Text(100) = Field(None, description="标题包含")


class PromptOut(Schema):
    id: int
    issuer_unit_id: int
    issuer_unit_name: str
    year: int
    quarter: int
    title: str
    themes: str
    discussion_focus: str
    readings: str
    expected_outputs: str
    status: str
    status_label: str
    issued_at: dt.datetime | None
    acknowledged: bool = Field(description="您担任角色的中心组中是否已有签收")
    attachments: list[AttachmentOut]
    version: int


class PromptPage(Schema):
    items: list[PromptOut]
    count: int


class PromptCreateIn(In):
    issuer_unit: Id = Field(description="以哪个督导单位的名义下发（下发给其全部下级中心组）")
    year: Year
    quarter: Quarter
    title: Text(200)
    themes: Text(20000) = Field(description="学习主题，每行一个")
    discussion_focus: Text(20000) = ""
    readings: Text(20000) = ""
    expected_outputs: Text(20000) = ""


class PromptUpdateIn(In):
    version: Version
    issuer_unit: Id = None
    year: Year = None
    quarter: Quarter = None
    title: Text(200) = None
    themes: Text(20000) = None
    discussion_focus: Text(20000) = None
    readings: Text(20000) = None
    expected_outputs: Text(20000) = None


class VersionIn(In):
    version: Version


class PromptAckIn(In):
    group: Id = Field(None, description="为哪个中心组签收；不填则为您担任学习秘书或组长的第一个")


class PromptAckOut(Schema):
    prompt_id: int
    group_id: int
    group_name: str
    acknowledged_at: dt.datetime
    acknowledged_by: str


class AckFilters(PageParams):
    state: Literal["acked", "pending"] = Field(None, description="acked 已签收，pending 未签收")


class AckRowOut(Schema):
    group_id: int
    group_name: str
    unit_name: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    deadline: dt.date | None
    state: str = Field(
        description="on_time 按期签收 / late 逾期签收 / overdue 逾期未签收 / pending"
    )


class AckPage(Schema):
    items: list[AckRowOut]
    count: int
    total: int = Field(description="下发范围内（您可查看）的中心组数")
    acknowledged: int
    pending: int


# --- first items -----------------------------------------------------------------------


class FirstItemFilters(PageParams):
    q: Text(100) = Field(None, description="题目或出处包含")
    kind: FirstItemKind = None
    year: Year = Field(None, description="发布年度")
    owner_unit: Id = Field(None, description="议题库所属单位")


class FirstItemOut(Schema):
    id: int
    owner_unit_id: int
    owner_unit_name: str
    title: str
    kind: str
    kind_label: str
    released_on: dt.date
    source: str = Field(description="限定范围学习的议题对普通成员不显示")
    summary: str = Field(description="限定范围学习的议题对普通成员不显示")
    restricted: bool
    created_at: dt.datetime
    studied: bool | None = Field(
        description="您所在的中心组是否已将其作为第一议题学习（不在任何中心组时为空）"
    )


class FirstItemPage(Schema):
    items: list[FirstItemOut]
    count: int


class FirstItemCreateIn(In):
    owner_unit: Id = Field(description="记入哪个单位的第一议题库")
    title: Text(300)
    kind: FirstItemKind
    released_on: Day
    source: Text(200) = ""
    summary: Text(20000) = ""
    restricted: bool = False


class FirstItemUpdateIn(In):
    title: Text(300) = None
    kind: FirstItemKind = None
    released_on: Day = None
    source: Text(200) = None
    summary: Text(20000) = None
    restricted: bool = None


class StudyFilters(PageParams):
    state: Literal["studied", "pending"] = Field(None, description="studied 已学习，pending 未学习")


class StudyRowOut(Schema):
    group_id: int
    group_name: str
    unit_name: str
    studied_on: dt.date | None
    lag: int | None = Field(description="发布后第几天学习")
    limit: int = Field(description="规定的学习期限（天）")
    state: str = Field(description="on_time / late / overdue / pending")


class StudyPage(Schema):
    items: list[StudyRowOut]
    count: int
    total: int
    studied: int
    pending: int


# --- plans -----------------------------------------------------------------------------


class PlanFilters(PageParams):
    year: Year = None
    group: Id = None
    status: PlanStatus = None


class TopicOut(Schema):
    id: int
    order: int
    title: str
    month: int | None
    quarter: int | None
    form: str
    lead_id: int | None
    lead_name: str
    prompt_id: int | None
    content: str


class PlanOut(Schema):
    id: int
    group_id: int
    group_name: str
    year: int
    title: str
    guidance: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: str
    filed_at: dt.datetime | None
    return_comment: str
    topics: list[TopicOut]
    version: int


class PlanDetailOut(PlanOut):
    due_date: dt.date = Field(description="报备截止日（规则 plan_due）")
    filing_state: str = Field(description="on_time / late / missing / pending")


class PlanPage(Schema):
    items: list[PlanOut]
    count: int


class PlanCreateIn(In):
    group: Id
    year: Year
    title: Text(200) = Field("", description="不填则为“中心组名称+年度学习计划”")
    guidance: Text(20000) = ""
    from_prompts: bool = Field(False, description="按当年学习提示的主题逐条生成专题")


class PlanUpdateIn(In):
    version: Version
    title: Text(200) = None
    guidance: Text(20000) = None


class PlanReturnIn(In):
    version: Version
    comment: Text(2000)


class PlanReopenIn(In):
    version: Version
    reason: Text(2000)


class TopicCreateIn(In):
    title: Text(200)
    month: Month = None
    quarter: Quarter = None
    form: Text(20) = Field("", description="学习形式，如“集体学习”")
    lead: Id = Field(None, description="领学/主讲人")
    content: Text(20000) = ""
    order: TopicOrder = None


class TopicUpdateIn(In):
    title: Text(200) = None
    month: Month | None = None
    quarter: Quarter | None = None
    form: Text(20) = None
    lead: Id | None = None
    content: Text(20000) = None
    order: TopicOrder = None


class FilingFilters(PageParams):
    year: Year = None
    state: Literal["filed", "unfiled"] = None


class FilingOut(Schema):
    group_id: int
    group_name: str
    unit_name: str
    plan_id: int | None
    plan_status: str | None
    due_date: dt.date
    filed_on: dt.date | None
    state: str = Field(description="on_time / late / missing / pending")
    reopened: bool


class FilingPage(Schema):
    items: list[FilingOut]
    count: int
    total: int
    filed: int
    unfiled: int


# --- outputs and conversions -----------------------------------------------------------

OutputKind = _choices(Output.Kind)
OutputStatus = _choices(Output.Status)
ConversionKind = _choices(Conversion.Kind)


class OutputFilters(PageParams):
    year: Year = None
    kind: OutputKind = None
    status: OutputStatus = None
    group: Id = None
    author: Id = Field(None, description="作者（人员）")
    session: Id = None
    mine: bool = Field(None, description="true：只看本人的成果")
    review: bool = Field(None, description="true：只看等待您（组长）审阅的发言材料")
    q: Text(100) = Field(None, description="题目包含")


class OutputOut(Schema):
    id: int
    group_id: int
    group_name: str
    author_id: int
    author_name: str
    session_id: int | None
    kind: str
    kind_label: str
    title: str
    body: str
    has_file: bool
    year: int
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    reviewed_by: str
    reviewed_at: dt.datetime | None
    review_comment: str
    version: int


class OutputDetailOut(OutputOut):
    review_state: str | None = Field(
        description="关联学习的发言材料：ok 会前已审阅 / pending 待审阅 / late 会前未审阅"
    )


class OutputPage(Schema):
    items: list[OutputOut]
    count: int


class OutputCreateIn(In):
    group: Id
    kind: OutputKind
    title: Text(200)
    body: Text(100000) = ""
    session: Id = Field(None, description="关联的集体学习（发言材料须在会前提交）")


class OutputUpdateIn(In):
    version: Version
    kind: OutputKind = None
    title: Text(200) = None
    body: Text(100000) = None
    session: Id | None = None


class OutputReviewIn(In):
    version: Version
    decision: Literal["approve", "return"] = Field(description="approve 通过，return 退回修改")
    comment: Text(2000) = ""


class ConversionFilters(PageParams):
    year: Year = Field(None, description="转化日期所在年度")
    kind: ConversionKind = None
    group: Id = None
    output: Id = None


class ConversionOut(Schema):
    id: int
    output_id: int
    output_title: str
    group_id: int
    kind: str
    kind_label: str
    title: str
    doc_number: str
    issued_on: dt.date
    description: str


class ConversionPage(Schema):
    items: list[ConversionOut]
    count: int


class ConversionCreateIn(In):
    output: Id
    kind: ConversionKind
    title: Text(200)
    issued_on: Day
    doc_number: Text(60) = Field("", description="制度文件必填")
    description: Text(20000) = ""


# --- rules -----------------------------------------------------------------------------


class RuleBookParams(Schema):
    unit: Id = Field(None, description="督导范围内的单位；不填则为您督导的第一个单位")
    year: Year = None


class RuleOut(Schema):
    key: str
    label: str
    kind: str
    measure: str = Field(description="计量单位，如“次”“%”")
    basis: str = Field(description="规则依据")
    value: int | bool | str | None
    value_text: str
    value_source: str = Field(description="取值来自哪一级（最近的上级设置优先）")
    override_id: int | None = Field(description="本单位各年度通用设置的编号")
    year_override_id: int | None = Field(description="本单位该年度设置的编号")


class RuleBookOut(Schema):
    unit_id: int
    unit_name: str
    year: int
    rules: list[RuleOut]


class RuleValueFilters(PageParams):
    unit: Id = Field(None, description="设置所在单位")
    rule: Text(60) = Field(None, description="规则标识，如 sessions_per_year")
    year: Year = None


class RuleValueOut(Schema):
    id: int
    rule: str
    rule_label: str
    unit_id: int
    unit_name: str
    year: int | None = Field(description="为空表示各年度通用")
    value: int | bool | str | None
    value_text: str
    note: str
    set_by: str
    set_at: dt.datetime


class RuleValuePage(Schema):
    items: list[RuleValueOut]
    count: int


class RuleValueIn(In):
    rule: Text(60) = Field(description="规则标识，如 sessions_per_year")
    unit: Id = Field(description="对该单位及其全部下级生效")
    year: Year | None = Field(None, description="不填表示各年度通用")
    value: bool | Annotated[int, Field(ge=-(10**9), le=10**9)] | Text(20) = Field(
        description="整数、true/false 或“月-日”"
    )
    note: Text(200) = ""


# --- sessions --------------------------------------------------------------------------

SessionKind = _choices(StudySession.Kind)
SessionStatus = _choices(StudySession.Status)
AttendanceStatus = _choices(Attendance.Status)
LeaveStatus = _choices(LeaveRequest.Status)


class SessionFilters(PageParams):
    year: Year = Field(None, description="开始时间所在年度")
    on: Day = Field(None, description="只列出该日的学习")
    group: Id = None
    kind: SessionKind = None
    status: SessionStatus = None
    q: Text(100) = Field(None, description="学习主题包含")


class SessionOut(Schema):
    id: int
    group_id: int
    group_name: str
    kind: str
    kind_label: str
    title: str
    topic_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    chair_id: int | None
    lead_reader_id: int | None
    status: str
    status_label: str
    held_at: dt.datetime | None
    recorded_at: dt.datetime | None
    has_first_item: bool
    expected: int = Field(description="已点名的应到人数（不含列席）")
    attended: int = Field(description="实到人数（出席和迟到）")
    version: int


class SessionPage(Schema):
    items: list[SessionOut]
    count: int


class AgendaOut(Schema):
    order: int
    title: str
    first_item_id: int | None


class SpeakerOut(Schema):
    person_id: int
    person_name: str
    subtopic: str


class AttendanceSummaryOut(Schema):
    expected: int = Field(description="应到（当日名册中的成员，不含列席）")
    present: int
    late: int
    leave: int
    absent: int
    attendees: int = Field(description="列席到会人数")
    rate: float | None = Field(description="出勤率（%）")


class SessionDetailOut(SessionOut):
    chair_name: str
    lead_reader_name: str
    content: str
    effect: str
    materials: str
    minutes: str
    agenda: list[AgendaOut]
    speakers: list[SpeakerOut]
    attachments: list[AttachmentOut]
    attendance: AttendanceSummaryOut
    my_attendance: str | None = Field(description="您本人的出勤情况")
    warnings: list[str] = Field(description="不符合规则之处（提示，不阻止保存）")


class SpeakerIn(In):
    person: Id
    subtopic: Text(200)


class SessionCreateIn(In):
    group: Id
    kind: SessionKind
    title: Text(200)
    starts_at: Moment
    ends_at: Moment
    place: Text(200)
    topic: Id = Field(None, description="对应的学习计划专题")
    chair: Id = Field(None, description="主持人")
    lead_reader: Id = Field(None, description="领学人")
    content: Text(20000) = ""
    materials: Text(20000) = ""
    first_item: Id = Field(None, description="第一议题（从议题库中选择）")
    agenda: list[Text(300)] = Field(default_factory=list, max_length=50, description="其他议题")
    speakers: list[SpeakerIn] = Field(
        default_factory=list, max_length=100, description="分题到人：发言人和发言题目"
    )


class SessionUpdateIn(In):
    version: Version
    kind: SessionKind = None
    title: Text(200) = None
    starts_at: Moment = None
    ends_at: Moment = None
    place: Text(200) = None
    topic: Id | None = None
    chair: Id | None = None
    lead_reader: Id | None = None
    content: Text(20000) = None
    materials: Text(20000) = None
    first_item: Id | None = None
    agenda: list[Text(300)] = Field(None, max_length=50)
    speakers: list[SpeakerIn] = Field(None, max_length=100)


class SessionRecordIn(In):
    version: Version
    content: Text(20000)
    effect: Text(20000)
    minutes: Text(100000) = ""


class SignInTokenOut(Schema):
    token: str
    url: str = Field(description="二维码中的签到地址")
    expires_in: int = Field(description="距二维码更换的秒数")
    open: bool = Field(description="当前是否在签到时间内")
    opens_at: dt.datetime
    closes_at: dt.datetime


# --- attendance, leave, make-up study ---------------------------------------------------


class AttendanceFilters(PageParams):
    session: Id = None
    group: Id = None
    person: Id = None
    status: AttendanceStatus = None
    year: Year = Field(None, description="学习所在年度")


class AttendanceOut(Schema):
    id: int
    session_id: int
    session_title: str
    session_starts_at: dt.datetime
    group_id: int
    person_id: int
    person_name: str
    status: str
    status_label: str
    reason: str
    method: str
    signed_in_at: dt.datetime | None
    is_attendee: bool = Field(description="列席（不计入出勤率，不需补学）")


class AttendancePage(Schema):
    items: list[AttendanceOut]
    count: int


class RollCallRowIn(In):
    person: Id
    status: AttendanceStatus
    reason: Text(200) = Field("", description="请假或缺席须填写")


class RollCallIn(In):
    session: Id
    rows: list[RollCallRowIn] = Field(min_length=1, max_length=500)


class SignInIn(In):
    token: Text(100) = Field(description="二维码签到地址中的令牌")


class LeaveFilters(PageParams):
    status: LeaveStatus = None
    session: Id = None
    group: Id = None
    person: Id = None


class LeaveOut(Schema):
    id: int
    session_id: int
    session_title: str
    session_starts_at: dt.datetime
    group_id: int
    person_id: int
    person_name: str
    reason: str
    status: str
    status_label: str
    requested_at: dt.datetime
    is_late: bool = Field(description="学习开始后才提出（事后请假）")
    decided_by: str
    decided_at: dt.datetime | None
    decision_note: str


class LeavePage(Schema):
    items: list[LeaveOut]
    count: int


class LeaveCreateIn(In):
    session: Id
    reason: Text(300)


class LeaveDecideIn(In):
    decision: Literal["approve", "refuse"] = Field(description="approve 批准，refuse 不批准")
    note: Text(300) = Field("", description="不批准时必填")


class MakeUpFilters(PageParams):
    status: Literal[(*MakeUp.Status.values, "overdue")] = Field(
        None, description="open / submitted / confirmed，或 overdue（逾期未完成）"
    )
    group: Id = None
    person: Id = None
    session: Id = None


class MakeUpOut(Schema):
    id: int
    attendance_id: int
    session_id: int
    session_title: str
    session_starts_at: dt.datetime
    group_id: int
    person_id: int
    person_name: str
    absence: str = Field(description="补学原因：请假或缺席")
    due_date: dt.date
    status: str
    status_label: str
    overdue: bool
    evidence_text: str
    has_file: bool
    submitted_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    return_note: str


class MakeUpPage(Schema):
    items: list[MakeUpOut]
    count: int


class MakeUpSubmitIn(In):
    text: Text(20000) = Field(description="补学心得或笔记")


class MakeUpReviewIn(In):
    action: Literal["confirm", "return"] = Field(description="confirm 确认完成，return 退回")
    note: Text(300) = Field("", description="退回时必填")


# --- compliance and documents -----------------------------------------------------------

CheckKey = Literal[tuple(CHECK_BY_KEY)]
Verdict = Literal["missed", "at_risk", "met"]


class PeriodParams(Schema):
    year: Year = Field(None, description="不填为今年")
    quarter: Quarter = Field(None, description="填写则只看该季度")


class YearParams(Schema):
    year: Year = Field(None, description="不填为今年")


class CheckOut(Schema):
    key: str
    label: str
    status: str = Field(description="met 达标 / at_risk 有风险 / missed 未达标 / na 不适用")
    status_label: str
    value_text: str
    target_text: str
    detail: str
    final: bool = Field(description="false：期间未结束，仅表示进度正常")
    source: str = Field(description="规则取值来自哪一级")


class MemberComplianceOut(Schema):
    person_id: int
    name: str
    role: str
    role_label: str
    due: int = Field(description="应参加次数")
    attended: int
    rate: float | None
    worst: str
    checks: list[CheckOut]


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    label: str


class GroupComplianceOut(Schema):
    group_id: int
    group_name: str
    unit_name: str
    period: PeriodOut
    as_of: dt.date
    worst: str
    missed: int
    at_risk: int
    checks: list[CheckOut]
    members: list[MemberComplianceOut] = Field(
        description="学习秘书、组长和督导看到全体；成员只看到本人"
    )


class ProofRowOut(Schema):
    cells: list[str]
    status: str


class ProofOut(Schema):
    key: str
    title: str
    status: str
    summary: str
    headers: list[str]
    rows: list[ProofRowOut]


class OverviewFilters(PageParams):
    unit: Id = Field(None, description="督导范围内的单位；不填则为您督导的第一个单位")
    year: Year = None
    q: Text(100) = Field(None, description="中心组或单位名称包含，或单位编码等于")
    status: Verdict = Field(None, description="按结论筛选（配合 check 则按该项规则）")
    check: CheckKey = Field(None, description="规则项")


class OverviewRowOut(Schema):
    group_id: int
    group_name: str
    unit_id: int
    unit_name: str
    worst: str
    missed: int
    at_risk: int
    statuses: dict[str, str] = Field(description="规则项 -> 结论")


class OverviewOut(Schema):
    items: list[OverviewRowOut]
    count: int = Field(description="符合筛选条件的中心组数")
    unit_id: int
    year: int
    total: int = Field(description="范围内中心组总数")
    worst: dict[str, int] = Field(description="按最差结论统计的中心组数")
    by_check: dict[str, dict[str, int]] = Field(description="每项规则各结论的中心组数")
    live: bool = Field(description="false：统计数字来自定时计算的快照")
    computed_at: dt.datetime | None


class ReportTextOut(Schema):
    group_id: int
    year: int
    title: str
    completion: list[str] = Field(description="完成情况（由记录计算，不可编辑）")
    intro: str
    practices: str
    problems: str
    next_steps: str
    saved: bool = Field(description="false：尚未保存，以下为系统草拟的文稿")
    version: int | None


class ReportTextIn(In):
    version: Version | None = Field(None, description="首次保存不填；之后带上读取时的版本号")
    intro: Text(20000) = None
    practices: Text(20000) = None
    problems: Text(20000) = None
    next_steps: Text(20000) = None


# --- yearly counts and rates ------------------------------------------------------------


class CountParams(PageParams):
    year: Year = Field(None, description="不填为今年")
    group: Id = Field(None, description="按成员统计该中心组；督导不填则按中心组统计督导范围")


class OutputCountRow(Schema):
    group_id: int
    group_name: str
    person_id: int | None = Field(None, description="按成员统计时的成员")
    person_name: str = ""
    role_label: str = ""
    counts: dict[str, int] = Field(
        description="各类成果篇数，另有 total 合计、written 文章和调研报告"
    )
    conversions: dict[str, int] | None = Field(None, description="按中心组统计时的成果转化")


class OutputCountsOut(Schema):
    year: int
    group_id: int | None
    required: int | None = Field(description="每名成员每年文章或调研报告（规则，按成员统计时）")
    items: list[OutputCountRow]
    count: int


class RateParams(PageParams):
    year: Year = Field(None, description="不填为今年")
    group: Id = Field(None, description="不填为您所在的第一个中心组")


class RateOut(Schema):
    attended: int
    expected: int
    percent: float | None


class MemberRateOut(RateOut):
    person_id: int
    person_name: str
    role_label: str
    meets: bool | None = Field(description="是否达到规定的参学率（尚无记录时为空）")


class RatesOut(Schema):
    group_id: int
    year: int
    rate: RateOut = Field(description="全年出勤率（实到/应到，不含列席）")
    required: int = Field(description="规定的成员年度参学率（%）")
    items: list[MemberRateOut]
    count: int
