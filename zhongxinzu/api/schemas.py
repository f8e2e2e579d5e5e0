"""Request and response schemas. Input schemas list every writable field and refuse any
other (no mass assignment); bounds match the model columns so bad input is a 4xx, never a
database error."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from zhongxinzu.org.models import Membership, Person, Unit

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
    rank_order: int
    phone: str = Field(description="本单位以外显示为脱敏号码")
    is_active: bool
    version: int


class PersonPage(Schema):
    items: list[PersonOut]
    count: int


class PersonCreateIn(In):
    unit: Id
    name: Text(40)
    gender: Gender
    post: Text(100) = ""
    rank_order: Order = 100
    phone: Text(20) = ""


class PersonUpdateIn(In):
    version: Version
    name: Text(40) = None
    gender: Gender = None
    post: Text(100) = None
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
