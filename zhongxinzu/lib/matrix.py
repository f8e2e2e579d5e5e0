"""Vocabulary of the permission matrix (see zhongxinzu/tests/test_permission_matrix.py).

Each app lists its URLs in `<app>/tests/matrix.py` as ENTRIES: one `Page` per URL name and
method, one `Api` per API path and method. `expect` maps a role to an outcome, or to a
dict of relation -> outcome for URLs about one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK = "ok"  # 2xx or a redirect that is not to the login page
DENIED = 403
HIDDEN = 404
LOGIN = "login"  # anonymous: redirected to the login page (pages) or 401 (API)

ALL_HIDDEN = {
    "own": HIDDEN,
    "child": HIDDEN,
    "parent": HIDDEN,
    "sibling": HIDDEN,
    "unrelated": HIDDEN,
}
SUBTREE = {**ALL_HIDDEN, "own": OK, "child": OK}
OWN = {**ALL_HIDDEN, "own": OK}
OWN_READ_ONLY = {**ALL_HIDDEN, "own": DENIED}
SUBTREE_READ_ONLY = {**ALL_HIDDEN, "own": DENIED, "child": DENIED}

BUSINESS_ROLES = ["supervisor", "secretary", "leader", "member", "observer"]
ADMIN_ROLES = ["sys_admin", "sec_admin", "audit_admin"]


def everyone_else(expect: dict, default) -> dict:
    """Fill in every role not named in `expect` with `default`."""
    from conftest import ROLES

    return {role: expect.get(role, default) for role in ROLES if role != "anonymous"}


@dataclass
class Page:
    name: str  # namespaced URL name
    method: str
    expect: dict
    obj: str | None = None  # "unit", "group", "person", "membership", ... (see OBJECTS)
    data: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)  # fixed kwargs for URLs without an object
    param: str | None = None  # pass the object's pk as this query parameter, not in the path


@dataclass
class Api:
    path: str  # as in the OpenAPI document, e.g. "/api/units/{unit_id}"
    method: str
    expect: dict
    obj: str | None = None
    body: dict | None = None
