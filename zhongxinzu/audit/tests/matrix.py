from zhongxinzu.lib.matrix import DENIED, OK, Page, everyone_else

AUDIT_ADMIN = everyone_else({"audit_admin": OK}, DENIED)

ENTRIES = [
    Page("audit:entry_list", "GET", AUDIT_ADMIN),
    Page("audit:entry_export", "GET", AUDIT_ADMIN),
]
