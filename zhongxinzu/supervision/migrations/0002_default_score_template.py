"""The platform's default observation score sheet (DOMAIN.md §4) as data."""

from django.db import migrations

DEFAULT_NAME = "中心组学习旁听评分表（默认）"
GRADES = [["好", 90], ["较好", 80], ["一般", 60], ["差", 0]]
ITEMS = [
    ("学习准备", 10, "年度计划、学习方案、材料提前下发，发言人提前确定"),
    ("第一议题", 15, "第一议题学习及时、传达到位"),
    ("领学", 10, "领学人领读原文、解读到位"),
    ("研讨发言质量", 20, "发言人数、准备充分、联系实际、有深度，不念稿"),
    ("联系实际", 15, "结合本地区本部门实际、查找问题、提出举措"),
    ("出勤与纪律", 10, "应到实到、请假手续、会风会纪"),
    ("主持人总结", 10, "主要负责同志总结讲话，提出贯彻要求"),
    ("记录与归档", 10, "学习记录完整、材料归档规范"),
]


def add_default(apps, schema_editor):
    ScoreTemplate = apps.get_model("supervision", "ScoreTemplate")
    ScoreItem = apps.get_model("supervision", "ScoreItem")
    if ScoreTemplate.objects.filter(owner_unit__isnull=True, name=DEFAULT_NAME).exists():
        return
    template = ScoreTemplate.objects.create(name=DEFAULT_NAME, grades=GRADES, is_active=True)
    for order, (title, points, guidance) in enumerate(ITEMS, start=1):
        ScoreItem.objects.create(
            template=template, order=order, title=title, points=points, guidance=guidance
        )


def remove_default(apps, schema_editor):
    ScoreTemplate = apps.get_model("supervision", "ScoreTemplate")
    ScoreItem = apps.get_model("supervision", "ScoreItem")
    ScoreItem.objects.filter(
        template__owner_unit__isnull=True, template__name=DEFAULT_NAME
    ).delete()
    ScoreTemplate.objects.filter(owner_unit__isnull=True, name=DEFAULT_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(add_default, remove_default)]
