"""A synthetic province for the benchmark: `manage.py gen_scale --groups N [--seed S]`.

The build is a list of steps (`STEPS`): (name, function, done). Each function takes the
`ScaleBuild` and returns a one-line summary; `done(build)` says whether its records are
already in the database, and the command runs only the steps not done. The org steps here
run together in one transaction: each reads what the earlier ones left on the build (units,
groups, people, rosters…) and adds its own records with `bulk_create` only. The study steps
of `scale_study.py` (sessions, attendance… for three years) are appended after them; they
read the org build back from the database and run in a transaction each.

Every step draws from its own `random.Random(f"{seed}:{step name}")`, so the same seed
gives the same province, and adding a step later never changes what the earlier ones
build. No date depends on the day the command is run.

The tree is written directly as materialised paths (treebeard's MP_Node layout: alphabet
0-9A-Z, 4 characters per level, the k-th child of a node is `parent.path + base36(k)`),
and siblings get `order` 10, 20, 30… with codes rising in path order, so the paths agree
with `Unit.node_order_by` and treebeard's own `add_child` keeps working on the result.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from zhongxinzu.org.models import (
    Membership,
    Person,
    PostCategory,
    RosterRequirement,
    StudyGroup,
    Unit,
    post_category_guess,
)

CODE_PREFIX = "SC-"
SUPERVISOR_USERNAME = "scale_supervisor"
SECRETARY_USERNAME = "scale_secretary"
BATCH = 1000

# --- names -----------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
# Roughly how common each surname is: the first few cover a large share of people.
SURNAME_WEIGHTS = [100 / (i + 8) for i in range(len(SURNAMES))]
MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清"
    "飞彬富顺信杰涛昌成康星光天达安岩中茂进林有坚和博诚先敬振壮思群豪邦承乐绍功松善厚庆磊民友"
    "裕河哲江超浩亮政谦奇朗伯宏鸣朋斌栋维启克伦翔旭鹏泽晨辰建家致树德行时泰盛雄琛钧冠策腾航弘"
)
FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱霞香月媛艳瑞"
    "佳嘉琼勤珍莉桂璐琦晶妍茜秋珊锦青倩婷婉娴瑾颖露瑶怡雁蓓仪荷丹蓉君琴蕊薇菁梦岚婕馨韵艺咏卿"
    "澜纯悦昭冰爽茗羽希欣滢筠柔竹凝晓欢枫芸菲宜舒影思丽"
)
PLACE_CHARS = (
    "东西南北新安平和兴隆丰永宁清河山桥湖塘口坪沟湾庄店集坝岭溪港泉石城关阳林松柏桃花金龙凤马"
    "白青黄大小上中高双三长古仁义福寿乐富华光明太天云水洪沙田源江峰秀茶杨柳"
)
CITIES = [
    "临江",
    "安平",
    "永宁",
    "清源",
    "云山",
    "泰和",
    "嘉禾",
    "长乐",
    "丰源",
    "宁远",
    "兴安",
    "平川",
    "海陵",
    "金城",
    "青阳",
    "东岳",
]
DISTRICTS = ["城东", "城西", "城南", "城北", "新城", "高新"]
PROVINCE_BODIES = [
    ("省委办公厅", "党组"),
    ("省委组织部", "部门"),
    ("省委统战部", "部门"),
    ("省发展和改革委员会", "党组"),
    ("省教育厅", "党组"),
    ("省科学技术厅", "党组"),
    ("省工业和信息化厅", "党组"),
    ("省公安厅", "党委"),
    ("省民政厅", "党组"),
    ("省司法厅", "党组"),
    ("省财政厅", "党组"),
    ("省人力资源和社会保障厅", "党组"),
    ("省自然资源厅", "党组"),
    ("省生态环境厅", "党组"),
    ("省住房和城乡建设厅", "党组"),
    ("省交通运输厅", "党组"),
    ("省水利厅", "党组"),
    ("省农业农村厅", "党组"),
    ("省商务厅", "党组"),
    ("省文化和旅游厅", "党组"),
    ("省卫生健康委员会", "党组"),
    ("省退役军人事务厅", "党组"),
    ("省应急管理厅", "党组"),
    ("省审计厅", "党组"),
    ("省市场监督管理局", "党组"),
    ("省统计局", "党组"),
    ("省医疗保障局", "党组"),
    ("省林业局", "党组"),
    ("省信访局", "党组"),
    ("省机关事务管理局", "党组"),
    ("省广播电视局", "党组"),
    ("省体育局", "党组"),
    ("省地方金融管理局", "党组"),
    ("省总工会", "党组"),
    ("省妇联", "党组"),
    ("省社科院", "党组"),
    ("省委党校", "党委"),
    ("省日报报业集团", "党委"),
    ("省广播电视台", "党委"),
]
PROVINCE_SCHOOLS = [
    "师范大学",
    "理工大学",
    "医科大学",
    "农业大学",
    "财经大学",
    "工业大学",
    "中医药大学",
    "艺术学院",
    "警察学院",
    "交通职业技术学院",
]
DEPARTMENTS = [
    "发展和改革局",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "信访局",
    "城市管理局",
    "行政审批局",
]
ENTERPRISES = [
    "城市建设投资集团",
    "交通投资集团",
    "水务集团",
    "国有资产投资经营集团",
    "农业发展集团",
    "文化旅游发展集团",
    "产业投资集团",
    "公共交通集团",
    "粮食储备集团",
    "工业园区开发集团",
    "供销集团",
    "能源集团",
]
INSTITUTIONS = [
    "第一中学",
    "第二中学",
    "实验中学",
    "职业技术学校",
    "人民医院",
    "中医医院",
    "妇幼保健院",
    "疾病预防控制中心",
]

# The roster rule the scale province carries: every group needs a Party-affairs head.
REQUIREMENT_LABEL = "党群部门负责人"


# --- posts by kind of unit -------------------------------------------------------------


@dataclass(frozen=True)
class Posts:
    """Who sits on a group of one kind: posts in official order."""

    head: str
    deputies: tuple[str, ...]
    party: str  # the Party-affairs head (post_category_guess: party_affairs_head)
    members: tuple[str, ...]
    filler: str  # repeated when a large group needs more members than `members`
    secretary: str


def committee_posts(level: str) -> Posts:
    """A city (市), county (县) or district (区) Party committee."""
    head = {"市": "市长", "县": "县长", "区": "区长"}[level]
    return Posts(
        head=f"{level}委书记",
        deputies=(f"{level}委副书记、{head}", f"{level}委副书记"),
        party=f"{level}委常委、组织部部长",
        members=(
            f"{level}委常委、常务副{head}",
            f"{level}纪委书记、{level}监委主任",
            f"{level}委常委、宣传部部长",
            f"{level}委常委、统战部部长",
            f"{level}委常委、政法委书记",
            f"{level}委常委、{level}委秘书长",
            f"{level}委常委、副{head}",
            f"{level}委常委、人武部政委",
        ),
        filler=f"副{head}",
        secretary=f"{level}委办公室副主任",
    )


def department_posts(name: str) -> Posts:
    """A government department, bureau or people's organisation (党组)."""
    title = "主任"
    for ending, t in [
        ("厅", "厅长"),
        ("局", "局长"),
        ("院", "院长"),
        ("台", "台长"),
        ("委员会", "主任"),
        ("会", "主席"),
        ("联", "主席"),
    ]:
        if name.endswith(ending):
            title = t
            break
    return Posts(
        head=f"党组书记、{title}",
        deputies=(f"党组副书记、副{title}",),
        party="党组成员、机关党委书记",
        members=(
            "派驻纪检监察组组长",
            f"党组成员、副{title}",
            f"党组成员、副{title}",
            "总工程师",
            "总经济师",
            "二级巡视员",
            "人事处处长",
        ),
        filler=f"党组成员、副{title}",
        secretary="办公室主任",
    )


def township_posts(suffix: str) -> Posts:
    if suffix == "街道":
        return Posts(
            head="党工委书记",
            deputies=("党工委副书记、办事处主任", "党工委副书记"),
            party="党工委委员、组织委员、党建办主任",
            members=(
                "纪工委书记",
                "党工委委员、宣传委员",
                "党工委委员、武装部部长",
                "党工委委员、办事处副主任",
                "人大工委主任",
            ),
            filler="办事处副主任",
            secretary="党政办公室主任",
        )
    head = f"{suffix}长"
    return Posts(
        head="党委书记",
        deputies=(f"党委副书记、{head}", "党委副书记"),
        party="党委委员、组织委员、党建办主任",
        members=(
            "纪委书记",
            "党委委员、宣传委员",
            "党委委员、武装部部长",
            "人大主席",
            f"党委委员、副{head}",
            "党委委员、统战委员",
        ),
        filler=f"副{head}",
        secretary="党政办公室主任",
    )


ENTERPRISE_POSTS = Posts(
    head="党委书记、董事长",
    deputies=("党委副书记、总经理", "党委副书记、工会主席"),
    party="党委委员、党群工作部部长",
    members=(
        "纪委书记",
        "党委委员、副总经理",
        "党委委员、总会计师",
        "总工程师",
        "党委委员、总法律顾问",
    ),
    filler="副总经理",
    secretary="党委办公室主任",
)


def institution_posts(name: str) -> Posts:
    head = "院长" if ("医" in name or "院" in name) else "主任" if "中心" in name else "校长"
    return Posts(
        head="党委书记",
        deputies=(f"党委副书记、{head}", "党委副书记、纪委书记"),
        party="党委委员、党建工作部部长",
        members=(f"党委委员、副{head}", f"党委委员、副{head}", "工会主席", "总会计师"),
        filler=f"副{head}",
        secretary="党委办公室主任",
    )


MINISTRY_POSTS = Posts(
    head="部长",
    deputies=("常务副部长", "副部长"),
    party="机关党委书记",
    members=("副部长", "驻部纪检监察组组长", "部务委员", "部务委员", "副部长"),
    filler="部务委员",
    secretary="办公室主任",
)


def province_body_posts(name: str, kind: str) -> Posts:
    if kind == "部门":
        return MINISTRY_POSTS
    if name.endswith("集团"):
        return ENTERPRISE_POSTS
    if name.endswith("党校"):
        return institution_posts(name)
    return department_posts(name)


# --- the build -------------------------------------------------------------------------


@dataclass
class PlannedUnit:
    name: str
    kind: str
    posts: Posts
    children: list[PlannedUnit] = field(default_factory=list)


@dataclass
class ScaleBuild:
    """What the steps share. `plan`, `units` and `groups` are in path order; `rosters[i]`
    is the roster history of `groups[i]` as (person, Membership role, start, end) rows."""

    groups_wanted: int
    seed: int
    root_path: str = "0001"
    # The study steps (scale_study.py): the last `years` years up to the day before `today`.
    today: dt.date | None = None
    years: int = 3
    plan: list[PlannedUnit] = field(default_factory=list)  # units in path order
    units: list[Unit] = field(default_factory=list)
    groups: list[StudyGroup] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    rosters: list[list[tuple[Person, str, dt.date, dt.date | None]]] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # for later steps

    @property
    def root(self) -> Unit:
        return self.units[0]

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}")


def base36(n: int) -> str:
    digits = Unit.alphabet
    out = ""
    while True:
        n, rem = divmod(n, len(digits))
        out = digits[rem] + out
        if not n:
            return out


def child_path(parent_path: str, k: int) -> str:
    """The path of the k-th child (1-based) of `parent_path` (of a root when it is '')."""
    key = base36(k)
    if len(key) > Unit.steplen:
        raise ValueError("too many children for one unit")
    return parent_path + key.rjust(Unit.steplen, "0")


def next_root_path() -> str:
    last = Unit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    return child_path("", int(last, 36) + 1 if last else 1)


# --- planning the tree (pure: no database) ---------------------------------------------


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    for _ in range(200):
        name = make()
        if name not in taken:
            taken.add(name)
            return name
    n = 2
    while f"{name}{n}" in taken:
        n += 1
    taken.add(f"{name}{n}")
    return f"{name}{n}"


def _place(rng: random.Random) -> str:
    return rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS)


def _leaf(
    rng: random.Random, prefix: str, taken: set[str], pools: dict[str, list[str]], townships: bool
) -> PlannedUnit:
    """One unit below a city or county: a township, department, enterprise or institution."""
    kinds = ["township", "department", "enterprise", "institution"]
    weights = [50, 30, 10, 10] if townships else [0, 60, 20, 20]
    kind = rng.choices(kinds, weights)[0]
    if kind != "township" and not pools[kind]:
        kind = "township" if townships else "enterprise"
    if kind == "township":
        suffix = rng.choices(["镇", "乡", "街道"], [5, 3, 2])[0]
        name = _unique(taken, lambda: f"{prefix}{_place(rng)}{suffix}")
        unit_kind = "党工委" if suffix == "街道" else "党委"
        return PlannedUnit(f"{name}{unit_kind}", unit_kind, township_posts(suffix))
    if kind == "department":
        body = pools[kind].pop(0)
        return PlannedUnit(f"{prefix}{body}党组", "党组", department_posts(body))
    if kind == "enterprise":
        body = pools[kind].pop(0) if pools[kind] else ""
        name = _unique(taken, lambda: f"{prefix}{body or _place(rng) + '实业集团'}有限公司")
        return PlannedUnit(f"{name}党委", "党委", ENTERPRISE_POSTS)
    body = pools[kind].pop(0)
    unit_kind = rng.choice(["党委", "党总支"])
    return PlannedUnit(f"{prefix}{body}{unit_kind}", unit_kind, institution_posts(body))


def _pools() -> dict[str, list[str]]:
    return {
        "department": list(DEPARTMENTS),
        "enterprise": list(ENTERPRISES),
        "institution": list(INSTITUTIONS),
    }


def plan_province(rng: random.Random, n: int) -> PlannedUnit:
    """A province of exactly `n` units: the propaganda department at the root; provincial
    bodies, cities (市委) under it; city bodies and counties/districts under each city;
    townships, departments, enterprises and schools/hospitals under each county."""
    root = PlannedUnit("省委宣传部", "部门", MINISTRY_POSTS)
    left = n - 1
    n_cities = min(16, max(2, n // 300), left)
    left -= n_cities
    cities = []
    taken: set[str] = set(CITIES)
    for name in CITIES[:n_cities]:
        cities.append(PlannedUnit(f"{name}市委", "党委", committee_posts("市")))
    per_city = max(1, min(12, left // (max(n_cities, 1) * 30)))
    counties: list[tuple[PlannedUnit, str]] = []  # (county, name prefix)
    for i, city in enumerate(cities):
        k = min(left, max(1, per_city + rng.randint(-3, 3)))
        for j in range(k):
            if j < min(2, k - 1):
                prefix = f"{CITIES[i]}市{DISTRICTS[j]}区"
                county = PlannedUnit(f"{prefix}委", "党委", committee_posts("区"))
            else:
                prefix = _unique(taken, lambda: _place(rng) + "县")
                county = PlannedUnit(f"{prefix}委", "党委", committee_posts("县"))
            city.children.append(county)
            counties.append((county, prefix))
        left -= k
    n_province = min(len(PROVINCE_BODIES) + len(PROVINCE_SCHOOLS) + 10, left // 80)
    for i in range(n_province):
        if i < len(PROVINCE_BODIES):
            name, kind = PROVINCE_BODIES[i]
            full = name if kind == "部门" else f"{name}{kind}"
            root.children.append(PlannedUnit(full, kind, province_body_posts(name, kind)))
        elif i < len(PROVINCE_BODIES) + len(PROVINCE_SCHOOLS):
            name = "省" + PROVINCE_SCHOOLS[i - len(PROVINCE_BODIES)]
            root.children.append(PlannedUnit(f"{name}党委", "党委", institution_posts(name)))
        else:
            name = _unique(taken, lambda: f"省{_place(rng)}投资集团有限公司")
            root.children.append(PlannedUnit(f"{name}党委", "党委", ENTERPRISE_POSTS))
    left -= n_province
    root.children.extend(cities)
    # The rest go below cities (city bodies) and counties, twice as many per city.
    parents = [(city, f"{CITIES[i]}市", False) for i, city in enumerate(cities)]
    parents += [(county, prefix, True) for county, prefix in counties]
    weights = [1 if townships else 2 for _, _, townships in parents]
    pools = {id(p): _pools() for p, _, _ in parents}
    for _ in range(left):
        parent, prefix, townships = rng.choices(parents, weights)[0]
        parent.children.append(_leaf(rng, prefix, taken, pools[id(parent)], townships))
    return root


def flatten(root: PlannedUnit, root_path: str) -> list[tuple[PlannedUnit, str, int]]:
    """(unit, path, sibling position) in path order."""
    out = []
    stack = [(root, root_path, 1)]
    while stack:
        node, path, k = stack.pop()
        out.append((node, path, k))
        for i in range(len(node.children), 0, -1):
            stack.append((node.children[i - 1], child_path(path, i), i))
    return out


# --- the steps -------------------------------------------------------------------------


def step_units(build: ScaleBuild) -> str:
    rng = build.rng("units")
    flat = flatten(plan_province(rng, build.groups_wanted), build.root_path)
    units = []
    for seq, (node, path, k) in enumerate(flat, start=1):
        units.append(
            Unit(
                path=path,
                depth=len(path) // Unit.steplen,
                numchild=len(node.children),
                name=node.name,
                code=f"{CODE_PREFIX}{seq:06d}",
                kind=node.kind,
                order=k * 10,
            )
        )
        build.plan.append(node)
    build.units = Unit.objects.bulk_create(units, batch_size=BATCH)
    if build.units[0].pk is None:  # later steps need the ids of what they point to
        raise RuntimeError("this database does not return ids from bulk inserts")
    depth = max(u.depth for u in units) - units[0].depth + 1
    return f"{len(units)} units, {depth} levels"


def step_groups(build: ScaleBuild) -> str:
    build.groups = StudyGroup.objects.bulk_create(
        [StudyGroup(unit=u, name=f"{u.name}理论学习中心组") for u in build.units],
        batch_size=BATCH,
    )
    return f"{len(build.groups)} study groups"


def person_name(rng: random.Random, gender: str) -> str:
    chars = MALE_CHARS if gender == "男" else FEMALE_CHARS
    given = rng.choice(chars) + ("" if rng.random() < 0.3 else rng.choice(chars))
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + given


def phone_number(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def _roster_posts(rng: random.Random, posts: Posts) -> list[tuple[str, str]]:
    """(post, Membership role) for one group of 8-15 people, in official order."""
    size = rng.choices(range(8, 16), [1, 1, 2, 3, 4, 4, 3, 2])[0]
    deputies = list(posts.deputies[: rng.choice([1, 2])])
    n_members = size - 2 - len(deputies)
    # About one group in thirty lacks the Party-affairs head: the roster rule flags it.
    chosen = [] if rng.random() < 0.035 else [posts.party]
    chosen += rng.sample(posts.members, min(len(posts.members), n_members - len(chosen)))
    # Seniority: the first listed member post, then the Party-affairs head, then the rest.
    seniority = [*posts.members[:1], posts.party, *posts.members[1:]]
    pool = sorted(chosen, key=seniority.index) + [posts.filler] * (n_members - len(chosen))
    rows = [(posts.head, Membership.Role.LEADER)]
    rows += [(p, Membership.Role.DEPUTY) for p in deputies]
    rows += [(p, Membership.Role.MEMBER) for p in pool]
    rows.append((posts.secretary, Membership.Role.SECRETARY))
    return rows


def _date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def step_people(build: ScaleBuild) -> str:
    """The people of each unit and, remembered for the next step, their roster places."""
    rng = build.rng("people")
    people: list[Person] = []
    for node, unit in zip(build.plan, build.units, strict=True):
        roster = []
        for rank, (post, role) in enumerate(_roster_posts(rng, node.posts), start=1):
            female = 0.12 if role in (Membership.Role.LEADER, Membership.Role.DEPUTY) else 0.35
            gender = "女" if rng.random() < female else "男"
            person = Person(
                unit=unit,
                name=person_name(rng, gender),
                gender=gender,
                post=post,
                post_category=post_category_guess(post),
                rank_order=rank,
                phone=phone_number(rng),
            )
            start = _date(rng, dt.date(2021, 1, 1), dt.date(2025, 6, 30))
            roster.append((person, role, start, None))
            people.append(person)
        # One group in twenty had a member who left (调离) during the roster's history.
        if rng.random() < 0.05:
            post = rng.choice(roster[1:-1])[0].post
            gender = "女" if rng.random() < 0.3 else "男"
            person = Person(
                unit=unit,
                name=person_name(rng, gender),
                gender=gender,
                post=post,
                post_category=post_category_guess(post),
                rank_order=len(roster) + 1,
                phone=phone_number(rng),
                is_active=False,
            )
            start = _date(rng, dt.date(2021, 1, 1), dt.date(2023, 12, 31))
            end = _date(rng, start + dt.timedelta(days=90), dt.date(2025, 6, 30))
            roster.append((person, Membership.Role.MEMBER, start, end))
            people.append(person)
        build.rosters.append(roster)
    build.people = Person.objects.bulk_create(people, batch_size=BATCH)
    return f"{len(people)} people"


def step_memberships(build: ScaleBuild) -> str:
    rows = [
        Membership(
            group=group,
            person=person,
            role=role,
            role_rank=Membership.rank_of(role),
            start_date=start,
            end_date=end,
        )
        for group, roster in zip(build.groups, build.rosters, strict=True)
        for person, role, start, end in roster
    ]
    build.memberships = Membership.objects.bulk_create(rows, batch_size=BATCH)
    ended = sum(1 for m in rows if m.end_date)
    return f"{len(rows)} memberships ({ended} ended)"


def step_rules(build: ScaleBuild) -> str:
    RosterRequirement.objects.create(
        scope=build.root,
        label=REQUIREMENT_LABEL,
        post_category=PostCategory.PARTY_AFFAIRS_HEAD,
    )
    return f"roster rule “{REQUIREMENT_LABEL}” on the root"


def step_accounts(build: ScaleBuild) -> str:
    """A supervisor of the whole province and the secretary of one township group."""
    from zhongxinzu.accounts.models import Role, RoleGrant, User

    now = timezone.now()
    supervisor = User(
        username=SUPERVISOR_USERNAME, first_name="省委宣传部督导", password_changed_at=now
    )
    supervisor.set_unusable_password()
    supervisor.save()
    RoleGrant.objects.create(user=supervisor, role=Role.SUPERVISOR, unit=build.root)
    # The secretary of the deepest unit about a third of the way through the tree.
    deepest = max(u.depth for u in build.units)
    index = next(
        i for i in range(len(build.units) // 3, len(build.units)) if build.units[i].depth == deepest
    )
    person = next(
        p
        for p, role, _, end in build.rosters[index]
        if role == Membership.Role.SECRETARY and end is None
    )
    secretary = User(
        username=SECRETARY_USERNAME, first_name=person.name, person=person, password_changed_at=now
    )
    secretary.set_unusable_password()
    secretary.save()
    build.users = {"supervisor": supervisor, "secretary": secretary}
    build.extra["secretary_group"] = build.groups[index]
    return f"users {SUPERVISOR_USERNAME} (root) and {SECRETARY_USERNAME} ({build.units[index]})"


def org_done(build: ScaleBuild) -> bool:
    """The org steps build one tree together: all done, or none."""
    return Unit.objects.filter(code__startswith=CODE_PREFIX).exists()


Step = Callable[[ScaleBuild], str]
Done = Callable[[ScaleBuild], bool]
ORG_STEPS: list[tuple[str, Step, Done]] = [
    ("units", step_units, org_done),
    ("groups", step_groups, org_done),
    ("people", step_people, org_done),
    ("memberships", step_memberships, org_done),
    ("rules", step_rules, org_done),
    ("accounts", step_accounts, org_done),
]

# The study steps read the org build back from the database, so they can also be added to
# a province built before they existed.
from zhongxinzu.demo.scale_upward import STEPS as UPWARD_STEPS  # noqa: E402
from zhongxinzu.org.scale_study import STEPS as STUDY_STEPS  # noqa: E402

STEPS: list[tuple[str, Step, Done]] = ORG_STEPS + STUDY_STEPS + UPWARD_STEPS
