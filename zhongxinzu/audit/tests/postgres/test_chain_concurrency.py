"""Issue 8 §5c: concurrent writers never fork the audit hash chain (row lock on the head)."""

import threading

import pytest
from django.db import connections

from zhongxinzu.audit.chain import verify
from zhongxinzu.audit.models import AuditEntry
from zhongxinzu.audit.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_appends_keep_one_chain():
    audit_record(action="login", username="start")
    barrier = threading.Barrier(4)

    def writer(n):
        try:
            barrier.wait()
            for i in range(10):
                audit_record(action="export", username=f"w{n}", detail={"i": i})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert AuditEntry.objects.count() == 41
    result = verify()
    assert result.ok, result.message
    assert result.checked == 41
