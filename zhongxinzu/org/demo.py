"""The demo city (江川市) for `manage.py seed_demo`: ~30 units over 3 levels under the
municipal propaganda department, 8–15 members per group, one group missing a required post,
and one demo account per role. Later modules add their own steps to STEPS."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from zhongxinzu.accounts.models import Role, RoleGrant, User
from zhongxinzu.org.models import (
    Membership,
    Person,
    PostCategory,
    RosterRequirement,
    StudyGroup,
    Unit,
    post_category_guess,
)

DEMO_PASSWORD = "Zxz@2026demo"
ROOT_CODE = "JC"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "建国 志强 海涛 晓东 国华 红梅 丽华 文军 永刚 春燕 德明 振华 立新 玉兰 秀英 宏伟 建平 利民 "
    "晓明 卫东 军 敏 静 磊 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 桂英 华 亮 婷 鹏 波 辉 斌 宇 "
    "雪梅 新华 国强 秋菊 雅琴 少华 树林 长青 金凤 家祥 明辉 俊杰 思远 晨曦 子涵 浩然 一鸣"
).split()

# (code, name, kind, parent code, roster template)
UNITS = [
    ("JC", "中共江川市委宣传部", "部门", None, "dept"),
    ("JC-JY", "市教育局党委", "党委", "JC", "dept"),
    ("JC-WJ", "市卫生健康委党组", "党组", "JC", "dept"),
    ("JC-CZ", "市财政局党组", "党组", "JC", "dept"),
    ("JC-GA", "市公安局党委", "党委", "JC", "dept"),
    ("JC-JT", "市交通运输局党委", "党委", "JC", "dept"),
    ("JC-SJ", "市市场监管局党组", "党组", "JC", "dept"),
    ("JC-ZR", "市自然资源局党组", "党组", "JC", "dept"),
    ("JC-NY", "市农业农村局党委", "党委", "JC", "dept"),
    ("JC-JB", "中共江北区委", "党委", "JC", "county"),
    ("JC-JN", "中共江南区委", "党委", "JC", "county"),
    ("JC-QS", "中共青山县委", "党委", "JC", "county"),
    ("JC-LH", "中共临河县委", "党委", "JC", "county"),
    ("JC-CT", "江川城投集团党委", "党委", "JC", "enterprise"),
    ("JC-SW", "江川水务集团党委", "党委", "JC", "enterprise"),
    ("JC-JY-YZ", "市第一中学党委", "党委", "JC-JY", "school"),
    ("JC-JY-ZY", "江川职业技术学院党委", "党委", "JC-JY", "school"),
    ("JC-WJ-RM", "市人民医院党委", "党委", "JC-WJ", "school"),
    ("JC-JB-CG", "江北区城关街道党工委", "党工委", "JC-JB", "township"),
    ("JC-JB-XG", "江北区新港镇党委", "党委", "JC-JB", "township"),
    ("JC-JN-BS", "江南区白沙镇党委", "党委", "JC-JN", "township"),
    ("JC-JN-HX", "江南区和谐街道党工委", "党工委", "JC-JN", "township"),
    ("JC-QS-QS", "青山县青山镇党委", "党委", "JC-QS", "township"),
    ("JC-QS-SM", "青山县石门乡党委", "党委", "JC-QS", "township"),
    ("JC-QS-LS", "青山县龙山镇党委", "党委", "JC-QS", "township"),
    ("JC-LH-LH", "临河县临河镇党委", "党委", "JC-LH", "township"),
    ("JC-LH-DW", "临河县东湾乡党委", "党委", "JC-LH", "township"),
    ("JC-CT-JS", "江川城投建设公司党委", "党委", "JC-CT", "enterprise"),
    ("JC-CT-ZY", "江川城投置业公司党委", "党委", "JC-CT", "enterprise"),
    ("JC-SW-GS", "江川供水公司党总支", "党总支", "JC-SW", "enterprise"),
]

# Posts by kind of unit, in official order, with their role in the study group.
ROSTERS = {
    "dept": [
        ("党组书记、局长", "leader"),
        ("党组副书记、副局长", "deputy"),
        ("党组成员、副局长", "member"),
        ("党组成员、副局长", "member"),
        ("党组成员、副局长", "member"),
        ("驻局纪检监察组组长", "member"),
        ("机关党委书记", "member"),
        ("总工程师", "member"),
        ("政策法规科科长", "attendee"),
        ("办公室主任", "secretary"),
        ("办公室副主任", "liaison"),
    ],
    "county": [
        ("县委书记", "leader"),
        ("县委副书记、县长", "deputy"),
        ("县委常委、宣传部部长", "deputy"),
        ("县委副书记", "member"),
        ("县委常委、常务副县长", "member"),
        ("县委常委、纪委书记", "member"),
        ("县委常委、组织部部长", "member"),
        ("县委常委、政法委书记", "member"),
        ("县委常委、统战部部长", "member"),
        ("县委常委、办公室主任", "member"),
        ("县人大常委会主任", "attendee"),
        ("县政协主席", "attendee"),
        ("宣传部副部长", "secretary"),
        ("县委办副主任", "liaison"),
    ],
    "school": [
        ("党委书记", "leader"),
        ("院（校）长、党委副书记", "deputy"),
        ("党委副书记、纪委书记", "member"),
        ("副院（校）长", "member"),
        ("副院（校）长", "member"),
        ("党委组织部部长", "member"),
        ("党委宣传部部长", "member"),
        ("党政办公室主任", "secretary"),
        ("党政办公室科员", "liaison"),
    ],
    "township": [
        ("党委书记", "leader"),
        ("党委副书记、镇长", "deputy"),
        ("党委副书记", "member"),
        ("纪委书记", "member"),
        ("组织委员", "member"),
        ("组织委员、党建办主任", "member"),
        ("副镇长", "member"),
        ("人武部部长", "member"),
        ("党政办主任", "secretary"),
    ],
    "enterprise": [
        ("党委书记、董事长", "leader"),
        ("党委副书记、总经理", "deputy"),
        ("党委副书记", "member"),
        ("纪委书记", "member"),
        ("副总经理", "member"),
        ("副总经理", "member"),
        ("总会计师", "member"),
        ("党群工作部部长", "member"),
        ("工会主席", "attendee"),
        ("办公室主任", "secretary"),
    ],
}

REQUIRED_POST = ("党群部门负责人", PostCategory.PARTY_AFFAIRS_HEAD)
# The irregular case: this unit's head of Party affairs is on staff but not on the roster.
MISSING_POST_UNIT = "JC-ZR"
DEMO_GROUP = "JC-JY"  # secretary, leader and member accounts belong to this group


@dataclass
class DemoCity:
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, list[Person]] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)


def build_org(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    start = dt.date(today.year - 2, 1, 1)
    for code, name, kind, parent_code, template in UNITS:
        fields = {"code": code, "name": name, "kind": kind, "order": len(city.units) + 1}
        if parent_code is None:
            unit = Unit.objects.add_root(fields)
        else:
            parent = Unit.objects.get(pk=city.units[parent_code].pk)
            unit = Unit.objects.add_child(parent, fields)
        city.units[code] = unit
        group = StudyGroup.objects.create(unit=unit, name=f"{name}理论学习中心组")
        posts = ROSTERS[template]
        if template == "dept":
            posts = posts[: 8 + rng.randint(0, 3)] + posts[-2:]  # 10–13 people
        city.people[code] = []
        for rank, (post, role) in enumerate(posts, start=1):
            post = post.replace("党组", kind) if kind == "党委" else post
            person = Person.objects.create(
                unit=unit,
                name=_name(rng),
                gender=rng.choice("男男男女"),
                post=post,
                post_category=post_category_guess(post),
                rank_order=rank,
                phone=f"13{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}",
            )
            city.people[code].append(person)
            if code == MISSING_POST_UNIT and post == "机关党委书记":
                continue
            Membership.objects.create(
                group=group,
                person=person,
                role=role,
                role_rank=Membership.rank_of(role),
                start_date=start,
            )
    _mid_year_change(city, rng, today)
    label, category = REQUIRED_POST
    RosterRequirement.objects.create(
        scope=city.units[ROOT_CODE], label=label, post_category=category
    )


def _mid_year_change(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    """A deputy head of the demo group moved on mid-year; a successor joined the next day."""
    unit = city.units[DEMO_GROUP]
    group = StudyGroup.objects.get(unit=unit)
    leaving = city.people[DEMO_GROUP][4]
    change = dt.date(today.year, 6, 30)
    Membership.objects.filter(group=group, person=leaving).update(end_date=change)
    Person.objects.filter(pk=leaving.pk).update(
        is_active=False, post="原党组成员、副局长（已调任）"
    )
    successor = Person.objects.create(
        unit=unit,
        name=_name(rng),
        gender="女",
        post="党组成员、副局长",
        post_category=PostCategory.LEADERSHIP,
        rank_order=leaving.rank_order,
        phone=f"138{rng.randint(10**7, 10**8 - 1)}",
    )
    Membership.objects.create(
        group=group,
        person=successor,
        role="member",
        role_rank=Membership.rank_of("member"),
        start_date=change + dt.timedelta(days=1),
    )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def build_accounts(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    roles = dict(
        Membership.objects.filter(group__unit=city.units[DEMO_GROUP]).values_list(
            "person_id", "role"
        )
    )
    by_role = {}
    for person in city.people[DEMO_GROUP]:
        by_role.setdefault(roles.get(person.pk), person)
    specs = [
        ("sys_admin", "系统管理员", None, Role.SYS_ADMIN, None),
        ("sec_admin", "安全管理员", None, Role.SEC_ADMIN, None),
        ("audit_admin", "审计管理员", None, Role.AUDIT_ADMIN, None),
        ("supervisor", "市委宣传部督导", None, Role.SUPERVISOR, city.units[ROOT_CODE]),
        ("secretary", None, by_role["secretary"], None, None),
        ("leader", None, by_role["leader"], None, None),
        ("member", None, by_role["member"], None, None),
        ("observer", "旁听专家", None, Role.OBSERVER, None),
    ]
    for username, full_name, person, role, unit in specs:
        user = User.objects.create_user(
            username,
            password=DEMO_PASSWORD,
            first_name=full_name or person.name,
            person=person,
            password_changed_at=timezone.now(),
        )
        User.objects.filter(pk=user.pk).update(is_demo=True)
        if role:
            RoleGrant.objects.create(user=user, role=role, unit=unit)
        city.accounts[username] = user


ACCOUNT_LABELS = {
    "sys_admin": "系统管理员（账号、组织机构）",
    "sec_admin": "安全管理员（角色授权、解除锁定）",
    "audit_admin": "审计管理员（审计日志）",
    "supervisor": "督导（中共江川市委宣传部，全市）",
    "secretary": "学习秘书（市教育局党委中心组）",
    "leader": "组长（市教育局党委中心组）",
    "member": "成员（市教育局党委中心组）",
    "observer": "专家/旁听组成员",
}


def _study_year(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    from zhongxinzu.demo.study_year import build_study_years

    build_study_years(city, rng, today)


def _supervision_year(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    from zhongxinzu.demo.supervision_year import build_supervision_year

    build_supervision_year(city, rng, today)


def _filings(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    from zhongxinzu.filings.demo import build_filings

    build_filings(city, rng, today)


def _demo_jobs(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    """The city supervisor's full recount of this year and last, queued for the worker that
    `make run` starts: the job list shows real runs with their progress from the start."""
    from zhongxinzu.jobs.services import job_start

    supervisor = User.objects.get(username="supervisor")
    root = Unit.objects.get(code=ROOT_CODE)
    for year in (today.year, today.year - 1):
        job_start(actor=supervisor, kind="compliance.refresh", unit=root, year=year)


def _reminders(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    """Fill the demo inboxes from the rules, as the daily cron job would."""
    from io import StringIO

    from django.core.management import call_command

    call_command("send_reminders", stdout=StringIO())


def _archive(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    from zhongxinzu.archive.demo import build_archive_demo

    build_archive_demo(city, rng, today)


def _bulletins(city: DemoCity, rng: random.Random, today: dt.date) -> None:
    from zhongxinzu.bulletins.demo import build_bulletins_demo

    build_bulletins_demo(city, rng, today)


STEPS = [
    build_org,
    build_accounts,
    _study_year,
    _supervision_year,
    _filings,
    _reminders,
    _archive,
    _bulletins,
    _demo_jobs,
]


def demo_present() -> bool:
    return Unit.objects.filter(code=ROOT_CODE).exists()


def build_demo_city(*, seed: int = 2026) -> DemoCity:
    rng = random.Random(seed)
    city = DemoCity()
    today = timezone.localdate()
    for step in STEPS:
        step(city, rng, today)
    return city
