import random

from django.utils import timezone

from zhongxinzu.bulletins.demo import build_bulletins_demo
from zhongxinzu.bulletins.models import Bulletin, BulletinRecipient
from zhongxinzu.bulletins.selectors import docx_bytes
from zhongxinzu.stats.selectors import subtree_groups


def test_demo_city_has_an_issued_half_year_and_a_drafted_quarterly_bulletin(city, db):
    issued = Bulletin.objects.get(status="issued", kind="half")
    assert issued.doc_number == f"江宣通〔{issued.number_year}〕1号"
    receipts = BulletinRecipient.objects.filter(bulletin=issued)
    assert receipts.count() == subtree_groups(issued.issuer_unit).count()
    acked = receipts.filter(acknowledged_at__isnull=False).count()
    assert 0 < acked < receipts.count()
    assert receipts.get(group__unit__code="JC-JY").acknowledged_by.username == "secretary"
    draft = Bulletin.objects.get(status="draft", kind="quarter")
    assert draft.drafted_at and "全市" in draft.overview and draft.problem_rows
    assert draft.practices.startswith("（一）")
    assert docx_bytes(issued)[:2] == b"PK"
    build_bulletins_demo(city, random.Random(1), timezone.localdate())
    assert Bulletin.objects.count() == 2
