"""Schemas of the score sheets (旁听评分), problems and rectifications (问题清单、整改清单)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from zhongxinzu.api.schemas import Day, Id, In, PageParams, Text, Version, Year
from zhongxinzu.supervision.models import Problem, Rectification

ProblemSource = Literal[tuple(Problem.Source.values)]
RectStatus = Literal[tuple(Rectification.Status.values)]


# --- score sheets ----------------------------------------------------------------------


class SheetFilters(PageParams):
    visit: Id = Field(None, description="旁听")
    group: Id = Field(None, description="被旁听的中心组")
    team: Id = Field(None, description="旁听组")
    year: Year = Field(None, description="旁听计划日期所在年度")
    mine: bool = Field(None, description="只看本人填写的评分表（旁听组成员）")
    submitted: bool = Field(None, description="true 已提交，false 暂存")


class SheetEntryOut(Schema):
    item_id: int
    title: str
    points: int
    guidance: str
    score: float | None = Field(description="尚未打分时为空")
    remark: str


class SheetOut(Schema):
    id: int
    visit_id: int
    group_id: int
    group_name: str
    team_id: int | None
    team_name: str
    planned_on: dt.date
    observer_id: int
    observer_name: str
    template_id: int
    total: float | None
    grade: str = Field(description="提交后按模板的等次分数线评定")
    remarks: str = Field(description="总体意见")
    submitted_at: dt.datetime | None
    mine: bool = Field(description="是否为您本人填写的评分表")
    version: int


class SheetDetailOut(SheetOut):
    template_name: str
    entries: list[SheetEntryOut] = Field(description="模板的每个评分项目及其得分")


class SheetPage(Schema):
    items: list[SheetOut]
    count: int


class SheetEntryIn(In):
    item: Id = Field(description="评分项目（该中心组适用的评分表模板中的项目）")
    score: Decimal | None = Field(None, description="得分，0至该项分值，最多一位小数")
    remark: Text(300) = Field("", description="扣分说明")


class SheetSaveIn(In):
    visit: Id
    entries: list[SheetEntryIn] = Field(default_factory=list, max_length=100)
    remarks: Text(20000) = Field("", description="总体意见")
    submit: bool = Field(False, description="true 提交（每项均须打分，提交后不能再修改）")
    version: Version | None = Field(None, description="首次保存不填；之后带上读取时的版本号")


class ScoreItemAverageOut(Schema):
    item_id: int
    title: str
    points: int
    average: float | None = Field(description="已提交评分表该项的平均分")


class VisitScoresOut(Schema):
    visit_id: int
    group_id: int
    group_name: str
    team_id: int | None
    team_name: str
    planned_on: dt.date
    template_id: int
    template_name: str
    sheet_count: int = Field(description="评分表份数（含暂存）")
    submitted_count: int
    average: float | None = Field(description="旁听组得分：已提交评分表总分的平均")
    grade: str
    items: list[ScoreItemAverageOut]
    sheets: list[SheetDetailOut] = Field(description="已提交的评分表，以及您本人暂存的评分表")
    can_fill: bool = Field(description="您是否为该旁听的旁听组成员（可填写评分表）")


class ScoreStatsParams(Schema):
    start: Day = Field(None, description="旁听计划日期起")
    end: Day = Field(None, description="旁听计划日期止")
    threshold: int = Field(85, ge=0, le=100, description="分数线")


class ScoreGradeCountOut(Schema):
    label: str
    count: int


class ScoreStatRowOut(Schema):
    id: int
    name: str
    visits: int = Field(description="已评分的旁听次数")
    average: float | None
    minimum: float | None
    below: int = Field(description="低于分数线的次数")
    grades: list[ScoreGradeCountOut]


class ScoreStatsOut(Schema):
    threshold: int
    visits: int
    average: float | None
    grades: list[ScoreGradeCountOut]
    by_group: list[ScoreStatRowOut]
    by_team: list[ScoreStatRowOut]


class ScoreTemplateItemOut(Schema):
    id: int
    order: int
    title: str
    points: int
    guidance: str


class ScoreGradeOut(Schema):
    label: str
    minimum: int = Field(description="该等次的最低分")


class ScoreTemplateOut(Schema):
    id: int
    name: str
    owner_unit_id: int | None = Field(description="为空则为平台默认模板")
    owner_unit_name: str
    is_active: bool
    can_edit: bool
    grades: list[ScoreGradeOut]
    items: list[ScoreTemplateItemOut]


class ScoreTemplatePage(Schema):
    items: list[ScoreTemplateOut]
    count: int


# --- problems and rectifications -------------------------------------------------------


class ProblemFilters(PageParams):
    group: Id = None
    year: Year = Field(None, description="发现日期所在年度")
    source: ProblemSource = None
    category: Text(40) = Field(None, description="问题类别")
    status: RectStatus = Field(None, description="整改状态")
    overdue: bool = Field(None, description="true 只看逾期未销号的")


class RectReportOut(Schema):
    id: int
    text: str
    has_file: bool = Field(description="是否附有佐证材料文件（在网页下载）")
    reported_by: str
    reported_at: dt.datetime


class RectOut(Schema):
    id: int
    problem_id: int
    measures: str
    owner_id: int | None
    owner_name: str
    department: str
    deadline: dt.date
    status: str
    status_label: str
    overdue: bool = Field(description="已过整改时限且未销号")
    closed_by: str
    closed_at: dt.datetime | None
    return_note: str
    version: int


class ProblemOut(Schema):
    id: int
    group_id: int
    group_name: str
    source: str
    source_label: str
    visit_id: int | None
    category: str
    description: str
    evidence: str
    found_on: dt.date
    raised_by: str
    overdue: bool
    rectification: RectOut
    version: int


class ProblemDetailOut(ProblemOut):
    reports: list[RectReportOut]
    can_report: bool = Field(description="您是否可以报送整改进展（本中心组学习秘书）")
    can_decide: bool = Field(description="您是否可以销号或退回（督导单位，待销号时）")


class ProblemPage(Schema):
    items: list[ProblemOut]
    count: int


class ProblemCreateIn(In):
    group: Id
    source: ProblemSource = Field(description="学习秘书只能登记自查（self_check）发现的问题")
    visit: Id = Field(None, description="所属旁听（督导单位登记旁听发现的问题时）")
    category: Text(40)
    description: Text(20000)
    evidence: Text(20000) = ""
    found_on: Day = Field(None, description="发现日期，不填为今天")
    measures: Text(20000) = Field(description="整改措施")
    owner: Id = Field(None, description="责任人（该中心组所在单位的人员）")
    department: Text(60) = ""
    deadline: Day = Field(description="整改时限")


class ProblemListsParams(Schema):
    group: Id = Field(None, description="中心组；学习秘书、组长不填则为本中心组")
    year: Year = Field(None, description="不填为今年")


class ListStudyRowOut(Schema):
    no: int
    title: str
    when: str
    form: str
    lead: str


class ListProblemRowOut(Schema):
    no: int
    problem_id: int
    source: str
    category: str
    description: str
    evidence: str
    found_on: dt.date


class ListRectRowOut(Schema):
    no: int
    problem_id: int
    rectification_id: int
    description: str
    measures: str
    owner: str
    department: str
    deadline: dt.date
    status: str = Field(description="状态（逾期的注明“（逾期）”）")
    closed_on: dt.date | None


class ProblemListsOut(Schema):
    group_id: int
    group_name: str
    year: int
    plan_id: int | None = Field(description="学习清单来自该年度学习计划")
    study: list[ListStudyRowOut] = Field(description="学习清单")
    problems: list[ListProblemRowOut] = Field(description="问题清单")
    rectifications: list[ListRectRowOut] = Field(description="整改清单")


class RectFilters(PageParams):
    group: Id = None
    status: RectStatus = None
    overdue: bool = Field(None, description="true 只看逾期未销号的")
    year: Year = Field(None, description="问题发现日期所在年度")


class RectDetailOut(RectOut):
    group_id: int
    group_name: str
    source: str
    source_label: str
    category: str
    description: str
    found_on: dt.date
    reports: list[RectReportOut]
    can_report: bool
    can_decide: bool


class RectListOut(RectOut):
    group_id: int
    group_name: str
    category: str
    description: str
    found_on: dt.date


class RectPage(Schema):
    items: list[RectListOut]
    count: int


class RectReportIn(In):
    version: Version
    text: Text(20000) = Field(description="整改进展")
    evidence: Text(2000) = Field(
        "", description="佐证材料说明（佐证材料文件请在网页“问题整改”页面上传）"
    )


class RectReturnIn(In):
    version: Version
    note: Text(300) = Field(description="退回意见")
