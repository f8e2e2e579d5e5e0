"""Who may do what with rules data. Rule overrides: supervisors within their subtree (see
views). The holiday calendar: the system administrator, who maintains the configuration
every unit shares (accounts, the unit tree) but sees no business data."""

from zhongxinzu.accounts.models import Role
from zhongxinzu.org.access import Principal


def can_edit_calendar(p: Principal) -> bool:
    return p.admin_role == Role.SYS_ADMIN
