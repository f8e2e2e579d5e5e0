"""Every audit action written anywhere and every object type has a Chinese label."""

import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from zhongxinzu.audit import labels
from zhongxinzu.audit.services import audit_record

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _action_codes() -> set[str]:
    codes = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"\baction=\"([a-z_.]+)\"", text))
    codes.discard("store_true")  # argparse
    return codes


def test_every_action_code_in_the_code_base_has_a_chinese_label():
    codes = _action_codes()
    assert {"visit_onsite", "assessment.compute", "login"} <= codes
    missing = sorted(c for c in codes if not CJK.search(labels.action_label(c)))
    assert missing == []


def test_every_model_is_shown_by_a_chinese_name():
    ours = [m._meta.label for m in apps.get_models() if m.__module__.startswith("zhongxinzu.")]
    assert "supervision.ObservationVisit" in ours
    assert sorted(x for x in ours if not CJK.search(labels.object_type_label(x))) == []


@pytest.mark.django_db
def test_audit_list_filter_and_export_show_chinese_labels(world):
    auditor = world.login(Client(), "audit_admin")
    audit_record(
        action="visit_onsite", username="alice", object_type="supervision.ObservationVisit"
    )
    audit_record(
        action="assessment.compute", username="alice", object_type="assessment.AssessmentScheme"
    )
    page = auditor.get(reverse("audit:entry_list"), {"user": "alice"}).content.decode()
    assert "现场旁听" in page and "计算考核结果" in page and "考核方案" in page
    # the codes appear only as the filter's option values
    assert page.count("visit_onsite") == 1 and page.count("assessment.compute") == 1
    assert 'value="visit_onsite"' in page and 'value="assessment.compute"' in page
    assert "ObservationVisit" not in page and "AssessmentScheme" not in page
    response = auditor.get(reverse("audit:entry_export"), {"user": "alice"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {(r[5], r[6]) for r in rows[1:]} == {
        ("现场旁听", "列席旁听"),
        ("计算考核结果", "考核方案"),
    }
