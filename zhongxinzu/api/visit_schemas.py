"""Request and response schemas of the expert pool (专家库), observation teams (旁听组),
visit plans (旁听计划) and visits (列席旁听). Choices come from the models and the
selectors, so a new stage or mode there is a new accepted value here."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from zhongxinzu.api.schemas import Day, Id, In, PageParams, Text, Version, Year
from zhongxinzu.supervision.models import ObservationVisit, VisitPlan
from zhongxinzu.supervision.selectors import CHECKLIST_ITEMS

Mode = Literal[tuple(VisitPlan.Mode.values)]
PlanStatus = Literal[tuple(VisitPlan.Status.values)]
Stage = Literal[tuple(ObservationVisit.Stage.values)]
ChecklistKey = Literal[tuple(key for key, _ in CHECKLIST_ITEMS)]
LongText = Text(20000)


# --- experts ---------------------------------------------------------------------------


class ExpertFilters(PageParams):
    q: Text(100) = Field(None, description="姓名、研究领域或工作单位包含")
    active: bool = Field(None, description="true 只看在库，false 只看已出库；不填则全部")
    owner_unit: Id = Field(None, description="专家库所属单位")


class ExpertOut(Schema):
    id: int
    owner_unit_id: int
    owner_unit_name: str
    person_id: int | None = Field(description="对应的本系统人员（系统外专家为空）")
    username: str = Field(description="关联的登录账号（可查看和填写本人的旁听任务）")
    name: str
    field: str
    title: str
    employer: str
    home_unit_id: int | None = Field(description="所在单位：其所在旁听组不会被安排到该单位")
    home_unit_name: str
    availability: str
    is_active: bool
    version: int


class ExpertPage(Schema):
    items: list[ExpertOut]
    count: int


class ExpertCreateIn(In):
    owner_unit: Id = Field(description="专家库所属单位（您督导的单位）")
    person: Id | None = Field(None, description="本系统内人员；系统外专家留空并填写姓名")
    name: Text(40) = Field("", description="不填则取对应人员的姓名")
    username: Text(150) = Field("", description="登录账号（需具有专家/旁听组成员角色）")
    field: Text(100) = ""
    title: Text(100) = ""
    employer: Text(100) = Field("", description="不填则取对应人员所在单位名称")
    home_unit: Id | None = Field(None, description="不填则取对应人员所在单位")
    availability: Text(200) = ""


class ExpertUpdateIn(In):
    version: Version
    owner_unit: Id = None
    person: Id | None = None
    name: Text(40) = None
    username: Text(150) = None
    field: Text(100) = None
    title: Text(100) = None
    employer: Text(100) = None
    home_unit: Id | None = None
    availability: Text(200) = None
    is_active: bool = Field(None, description="false 出库，true 恢复入库")


# --- teams -----------------------------------------------------------------------------


class TeamFilters(PageParams):
    year: Year = None
    owner_unit: Id = Field(None, description="督导单位")


class TeamOut(Schema):
    id: int
    owner_unit_id: int
    owner_unit_name: str
    year: int
    name: str
    is_active: bool
    member_count: int
    leader_name: str
    version: int


class TeamMemberOut(Schema):
    id: int = Field(description="成员记录的编号（team_member_id）")
    expert_id: int
    expert_name: str
    is_leader: bool
    field: str
    title: str
    employer: str
    home_unit_name: str


class TeamDetailOut(TeamOut):
    members: list[TeamMemberOut] = Field(description="组长在前")


class TeamPage(Schema):
    items: list[TeamOut]
    count: int


class TeamCreateIn(In):
    owner_unit: Id = Field(description="督导单位（您督导的单位）")
    year: Year
    name: Text(60)


class TeamUpdateIn(In):
    version: Version
    name: Text(60) = None
    is_active: bool = None


class TeamMemberIn(In):
    expert: Id = Field(description="本单位或上级单位专家库中的在库专家")
    is_leader: bool = Field(False, description="任组长（原组长随之卸任）")


# --- visits ----------------------------------------------------------------------------


class VisitDeadlineOut(Schema):
    stage: str
    label: str
    due: dt.date | None
    done: bool
    overdue: bool
    status: Literal["done", "overdue", "pending"]


class VisitFilters(PageParams):
    plan: Id = Field(None, description="旁听计划")
    group: Id = Field(None, description="被旁听的中心组")
    team: Id = Field(None, description="旁听组")
    stage: Stage = None
    year: Year = Field(None, description="按计划日期的年度")
    overdue: bool = Field(None, description="true 只看材料报送或总结提交已逾期的")


class VisitOut(Schema):
    id: int
    plan_id: int | None
    plan_title: str
    plan_status: str | None
    group_id: int
    group_name: str
    team_id: int | None
    team_name: str
    observer_group_id: int | None = Field(description="交叉旁听时的旁听中心组")
    observer_group_name: str
    session_id: int | None
    planned_on: dt.date
    stage: str
    stage_label: str
    materials_due: dt.date | None
    materials_sent_at: dt.datetime | None
    summary_due: dt.date | None
    summary_submitted_at: dt.datetime | None
    feedback_sent_at: dt.datetime | None
    overdue: bool = Field(description="材料报送或总结提交已逾期")
    deadlines: list[VisitDeadlineOut]
    version: int


class VisitPage(Schema):
    items: list[VisitOut]
    count: int


class VisitChecklistItemOut(Schema):
    key: str
    label: str
    ok: bool | None = Field(description="齐全 true，缺 false，未审核 null")


class VisitChecklistOut(Schema):
    items: list[VisitChecklistItemOut]
    note: str
    checked_by: str
    checked_at: str


class VisitSummaryOut(Schema):
    overall: str
    highlights: str
    problems: str


class VisitTeamMemberOut(Schema):
    name: str
    is_leader: bool


class VisitDetailOut(VisitOut):
    session_title: str
    session_starts_at: dt.datetime | None
    session_place: str
    team_members: list[VisitTeamMemberOut]
    checklist: VisitChecklistOut | None = Field(description="旁听组成员和督导可见")
    onsite_comments: str | None = Field(description="旁听组成员和督导可见")
    interview_notes: str | None = Field(description="旁听组成员和督导可见")
    summary: VisitSummaryOut | None = Field(
        description="旁听总结：旁听组成员和督导可见，被旁听中心组在反馈后可见"
    )
    summary_limit: int | None = Field(description="总结三项合计字数上限（可填写时）")
    can_send_materials: bool
    can_write_team_notes: bool
    can_feedback: bool
    is_team_member: bool


class VisitUpdateIn(In):
    version: Version
    team: Id | None = Field(None, description="旁听组（本单位本年度的；交叉旁听不适用）")
    planned_on: Day = Field(None, description="计划日期（计划期间内；当天的集体学习随之关联）")


class VisitMaterialsIn(In):
    note: Text(200) = ""


class VisitChecklistIn(In):
    checked: Annotated[list[ChecklistKey], Field(max_length=len(CHECKLIST_ITEMS))] = Field(
        default_factory=list, description="已齐全的审核项目"
    )
    note: Text(500) = ""


class VisitOnsiteIn(In):
    comments: LongText


class VisitInterviewIn(In):
    notes: LongText


class VisitSummaryIn(In):
    overall: LongText
    highlights: LongText = ""
    problems: LongText = ""


# --- visit plans -----------------------------------------------------------------------


class VisitPlanFilters(PageParams):
    year: Year = None
    status: PlanStatus = None


class VisitPlanOut(Schema):
    id: int
    owner_unit_id: int
    owner_unit_name: str
    year: int
    title: str
    period_start: dt.date
    period_end: dt.date
    mode: str
    mode_label: str
    status: str
    status_label: str
    visit_count: int
    uncovered_count: int
    created_by: str
    published_at: dt.datetime | None
    version: int


class VisitPlanTeamLoadOut(Schema):
    team_id: int
    team_name: str
    visits: int


class VisitPlanUncoveredOut(Schema):
    group_id: int
    group_name: str
    reason: str


class VisitPlanDetailOut(VisitPlanOut):
    visits: list[VisitOut] = Field(description="按日期排列")
    team_loads: list[VisitPlanTeamLoadOut] = Field(description="本单位本年度启用的旁听组各承担几次")
    uncovered: list[VisitPlanUncoveredOut] = Field(description="未能安排的中心组及原因")


class VisitPlanPublishOut(VisitPlanDetailOut):
    notified: int = Field(description="发送的提醒条数")


class VisitPlanPage(Schema):
    items: list[VisitPlanOut]
    count: int


class VisitPlanProposeIn(In):
    owner_unit: Id = Field(description="督导单位：为其下级中心组安排旁听")
    year: Year
    period_start: Day
    period_end: Day
    mode: Mode = Field(VisitPlan.Mode.TEAMS.value, description="teams 旁听组旁听；cross 交叉旁听")
    title: Text(120) = Field("", description="不填则为“单位名称+年度列席旁听计划”")
