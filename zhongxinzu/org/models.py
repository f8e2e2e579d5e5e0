from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_Node

from zhongxinzu.org.fields import EncryptedCharField


class Versioned(models.Model):
    """A version column for optimistic locking: a save carrying a stale version is refused."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Unit(MP_Node, Versioned):
    """A Party organisation. Materialised paths make a subtree one indexed range query."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "党委", "党委"
        PARTY_GROUP = "党组", "党组"
        WORK_COMMITTEE = "党工委", "党工委"
        GENERAL_BRANCH = "党总支", "党总支"
        BRANCH = "党支部", "党支部"
        DEPARTMENT = "部门", "部门"

    name = models.CharField("单位名称", max_length=100)
    code = models.CharField("单位编码", max_length=40, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    node_order_by = ["order", "code"]

    class Meta:
        verbose_name = "单位"
        ordering = ["path"]

    def __str__(self):
        return self.name


class PostCategory(models.TextChoices):
    """The kind of post a person holds; roster requirements name one of these (issue 8:
    matching free post text let a 组织委员 pass for a 党群部门负责人)."""

    SECRETARY = "secretary", "党委（党组）书记"
    DEPUTY_SECRETARY = "deputy_secretary", "党委（党组）副书记"
    LEADERSHIP = "leadership", "班子成员"
    PARTY_AFFAIRS_HEAD = "party_affairs_head", "党群部门负责人"
    DISCIPLINE_HEAD = "discipline_head", "纪检监察负责人"
    OFFICE_STAFF = "office_staff", "办公室及工作人员"
    OTHER = "other", "其他"


# Post text that unambiguously names a post category (demo data and the migration of
# existing people; anything else is left for a person to choose).
POST_CATEGORY_HINTS = [
    (PostCategory.DISCIPLINE_HEAD, ("纪委书记", "纪检监察组组长", "纪工委书记")),
    (
        PostCategory.PARTY_AFFAIRS_HEAD,
        (
            "组织部部长",
            "宣传部部长",
            "统战部部长",
            "机关党委书记",
            "党群工作部部长",
            "党群工作部主任",
            "党建工作部部长",
            "党建工作部主任",
            "党建办主任",
        ),
    ),
    (PostCategory.SECRETARY, ("党委书记", "党组书记", "县委书记", "党工委书记")),
    (PostCategory.DEPUTY_SECRETARY, ("副书记",)),
]


def post_category_guess(post: str) -> str:
    """The category a post's text unambiguously names, or "" (head posts only: "组织部副部长"
    or "组织委员" is not a head of a Party-affairs department)."""
    for category, hints in POST_CATEGORY_HINTS:
        for hint in hints:
            i = post.find(hint)
            if i >= 0 and not post[max(0, i - 1) : i].endswith("副"):
                return category
    return ""


class Person(Versioned):
    class Gender(models.TextChoices):
        MALE = "男", "男"
        FEMALE = "女", "女"

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="people", verbose_name="所在单位"
    )
    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=2, choices=Gender.choices)
    post = models.CharField("职务", max_length=100, blank=True)
    post_category = models.CharField(
        "职务类别", max_length=20, choices=PostCategory.choices, blank=True
    )
    rank_order = models.PositiveIntegerField(
        "排序号", default=100, help_text="按职务排序，数字越小越靠前"
    )
    # encrypted at rest (org.fields); services.person_validate bounds the number itself
    phone = EncryptedCharField("手机号", max_length=200, blank=True)
    is_active = models.BooleanField("在职", default=True)

    class Meta:
        verbose_name = "人员"
        ordering = ["unit_id", "rank_order", "id"]
        indexes = [models.Index(fields=["unit", "rank_order"])]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        p = self.phone
        return f"{p[:3]}****{p[-4:]}" if len(p) >= 11 else ("****" if p else "")


class StudyGroup(Versioned):
    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="group", verbose_name="所属单位"
    )
    name = models.CharField("中心组名称", max_length=120)
    is_active = models.BooleanField("启用", default=True)
    # Deadlines that passed before this day do not apply to the group (a group set up
    # mid-year is not late with January's plan). Empty = existed before any period judged.
    established_on = models.DateField("成立日期", null=True, blank=True)

    class Meta:
        verbose_name = "理论学习中心组"

    def __str__(self):
        return self.name


class Membership(Versioned):
    class Role(models.TextChoices):
        LEADER = "leader", "组长"
        DEPUTY = "deputy", "副组长"
        MEMBER = "member", "成员"
        SECRETARY = "secretary", "学习秘书"
        LIAISON = "liaison", "联络员"
        ATTENDEE = "attendee", "列席"

    # Official listing order of roles on a roster.
    ROLE_ORDER = [
        Role.LEADER,
        Role.DEPUTY,
        Role.MEMBER,
        Role.SECRETARY,
        Role.LIAISON,
        Role.ATTENDEE,
    ]

    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="memberships", verbose_name="中心组"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name="人员"
    )
    role = models.CharField("组内角色", max_length=12, choices=Role.choices)
    role_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "中心组成员"
        ordering = ["group_id", "role_rank", "id"]
        indexes = [
            models.Index(fields=["group", "end_date"]),
            models.Index(fields=["person", "end_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()}"

    @classmethod
    def rank_of(cls, role: str) -> int:
        return cls.ROLE_ORDER.index(role)


class RosterRequirement(models.Model):
    """A post that must be on the roster of every group in `scope`'s subtree."""

    scope = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="roster_requirements",
        verbose_name="适用范围（含下级）",
    )
    label = models.CharField("要求", max_length=60, help_text="例如：党群部门负责人")
    # The post required: someone on the roster whose post category is this one.
    post_category = models.CharField(
        "职务类别", max_length=20, choices=PostCategory.choices, blank=True
    )
    # Legacy free-text matching, used only by requirements without a category (rows from
    # before issue 8 the migration could not map).
    keywords = models.CharField("职务关键词（旧）", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "名册必备职务"

    def __str__(self):
        return self.label

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("、", ",").split(",") if k.strip()]
