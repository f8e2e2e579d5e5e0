import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhongxinzu.compliance.services import reminders_send

KIND_LABELS = {
    "plan": "学习计划报备",
    "session_record": "学习记录",
    "makeup": "补学逾期",
    "speech_review": "发言材料审阅",
    "prompt_ack": "学习提示签收",
    "first_item": "第一议题学习",
    "rectification": "整改逾期",
    "visit_materials": "旁听材料报送",
    "visit_summary": "旁听总结提交",
}


class Command(BaseCommand):
    help = (
        "按学习规则生成站内提醒（计划报备、学习记录、补学、发言材料审阅、学习提示签收、"
        "第一议题、整改、旁听材料和旁听总结）；同一提醒只发送一次，建议每天由 cron 运行"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天检查（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD") from None
        created = reminders_send(on=on)
        for kind, n in sorted(created.items()):
            self.stdout.write(f"  {KIND_LABELS.get(kind, kind)}：{n} 条")
        self.stdout.write(f"共生成新提醒 {sum(created.values())} 条")
