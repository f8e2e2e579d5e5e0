"""Request and response schemas of /api/assessments (考核评价)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from zhongxinzu.api.schemas import Id, In, PageParams, Text, Version, Year
from zhongxinzu.assessment.metrics import METRICS
from zhongxinzu.assessment.models import AssessmentScheme, Indicator

SchemeStatus = Literal[tuple(AssessmentScheme.Status.values)]
Method = Literal[tuple(Indicator.Method.values)]
Metric = Literal[("", *METRICS)]


def Points(low: int, high: int, description: str):  # noqa: N802 - reads as a type
    """A number of points with at most one decimal that matters (rounded half up)."""
    return Annotated[Decimal, Field(ge=low, le=high, allow_inf_nan=False, description=description)]


# --- schemes ---------------------------------------------------------------------------


class SchemeFilters(PageParams):
    year: Year = None
    status: SchemeStatus = None
    owner_unit: Id = Field(None, description="考核单位")


class GradeOut(Schema):
    name: str
    threshold: float = Field(description="达到该分数即为此等次")


class SchemeOut(Schema):
    id: int
    owner_unit_id: int
    owner_unit_name: str
    year: int
    name: str
    edition: int
    status: str
    status_label: str
    previous_id: int | None = Field(description="上一版本（新版本才有）")
    bottom_n: int = Field(description="末位数量（约谈名单）")
    grades: list[GradeOut] = Field(description="等次，从高到低")
    published_at: dt.datetime | None
    published_by: str
    version: int


class SchemePage(Schema):
    items: list[SchemeOut]
    count: int


class IndicatorOut(Schema):
    id: int
    order: int
    name: str
    weight: float
    method: str
    method_label: str
    metric: str
    metric_label: str
    formula: str = Field(description="计算公式（按记录自动计算的指标）")
    description: str


class AdjustmentOut(Schema):
    id: int
    scheme_id: int
    group_id: int
    group_name: str
    points: float = Field(description="加分为正，扣分为负")
    reason: str
    evidence: str
    created_by: str


class SchemeDetailOut(SchemeOut):
    indicators: list[IndicatorOut]
    weight_total: float = Field(description="各指标权重之和（发布前须为100）")
    adjustments: list[AdjustmentOut]
    result_count: int = Field(description="已计算结果的中心组数")
    next_edition_id: int | None = Field(description="据此创建的新版本")


class SchemeCreateIn(In):
    owner_unit: Id = Field(description="考核单位（本单位或督导范围内的下级单位）")
    year: Year


class GradeIn(In):
    name: Text(10)
    threshold: Points(0, 100, "分数线")


class IndicatorIn(In):
    id: Id = Field(description="本方案的指标")
    name: Text(60) = None
    weight: Points(0, 100, "权重（分）") = None
    method: Method = None
    metric: Metric = Field(None, description="计算指标（按记录自动计算时必选）")
    description: Text(300) = None


class SchemeUpdateIn(In):
    version: Version
    name: Text(120) = None
    bottom_n: int = Field(None, ge=0, le=1000, description="末位数量（约谈名单）")
    grades: list[GradeIn] = Field(None, max_length=20, description="从高到低，最低等次的分数线为0")
    indicators: list[IndicatorIn] = Field(
        None, max_length=200, description="只改提交的指标和字段；全部权重之和须为100"
    )


# --- manual scores and adjustments -----------------------------------------------------


class ManualScoreIn(In):
    group: Id
    score: Points(0, 100, "得分") | None = Field(None, description="得分；为空则清除该中心组的评分")
    reason: Text(300) = ""


class ManualScoresIn(In):
    indicator: Id = Field(description="本方案的人工评分指标")
    scores: list[ManualScoreIn] = Field(max_length=10000)


class ManualScoreOut(Schema):
    group_id: int
    group_name: str
    score: float
    reason: str
    scored_by: str


class ManualScoresOut(Schema):
    indicator_id: int
    scheme_id: int
    scores: list[ManualScoreOut]


class AdjustmentIn(In):
    group: Id
    points: Points(-100, 100, "加分为正，扣分为负")
    reason: Text(300)
    evidence: Text(300)


# --- results ---------------------------------------------------------------------------


class PointsOut(Schema):
    indicator_id: int
    indicator_name: str
    points: float | None


class ResultOut(Schema):
    id: int
    scheme_id: int
    rank: int
    group_id: int
    group_name: str
    unit_id: int
    unit_name: str
    total: float
    grade: str
    points: list[PointsOut] = Field(description="各指标得分，按指标顺序")
    adjustment_total: float


class ResultPage(Schema):
    items: list[ResultOut]
    count: int


class ResultFilters(PageParams):
    year: Year = None
    scheme: Id = Field(None, description="考核方案")
    group: Id = Field(None, description="中心组")


class MyResultOut(Schema):
    id: int
    scheme_id: int
    scheme_name: str
    year: int
    edition: int
    status: str
    group_id: int
    group_name: str
    total: float
    rank: int
    grade: str


class MyResultPage(Schema):
    items: list[MyResultOut]
    count: int


class TalkRowOut(Schema):
    group_id: int
    group_name: str
    unit_id: int
    unit_name: str
    rank: int | None
    total: float | None
    grade: str
    previous_rank: int | None
    previous_total: float | None
    previous_grade: str


class TalkListOut(Schema):
    scheme_id: int
    year: int
    bottom_n: int
    previous_scheme_id: int | None = Field(description="上一年度已发布的方案；没有则无约谈名单")
    items: list[TalkRowOut]
    count: int


class RecordOut(Schema):
    kind: str
    label: str
    url: str = Field(description="网页上查看该记录的地址（没有则为空）")


class CardLineOut(Schema):
    indicator_id: int
    name: str
    weight: float
    method: str
    rule: str = Field(description="评分规则：计算公式，人工评分指标为“人工评分”")
    description: str
    value: str = Field(description="计量值，人工评分为理由")
    formula: str = Field(description="带本组数据的计算过程")
    points: float | None
    records: list[RecordOut]


class CardAdjustmentOut(Schema):
    points: float
    reason: str
    evidence: str


class ScoreCardOut(Schema):
    id: int
    scheme_id: int
    scheme_name: str
    year: int
    edition: int
    status: str
    owner_unit_name: str
    group_id: int
    group_name: str
    unit_name: str
    total: float
    rank: int
    grade: str
    group_count: int = Field(description="参加排名的中心组数")
    computed_at: dt.datetime
    lines: list[CardLineOut]
    adjustments: list[CardAdjustmentOut]
