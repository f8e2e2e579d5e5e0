"""Every page a demo role can reach opens: a breadth-first crawl of every in-app link from each
role's landing page over the full demo city, with DEBUG on and off.

A link fails the crawl when it answers 5xx (the test client re-raises the view's exception),
404 (an in-app link to nothing), or 403 (a visible link the user may not follow), or when the
page shows raw template syntax. Every page (every path) is followed. Of the query-string
variants of one path, one is followed per set of parameters and year — each filter, page and
year the page offers, but not each of its 30 groups × 12 rules × 3 statuses combinations —
and none for years or months the demo holds no records for (last year, this one, and next
year's plans are kept), because a calendar's 下月 never ends.

With DEBUG on and off alike the crawl opens every page: each of the demo's 2,000 outputs and
700 sessions (DEBUG on: on SQLite, the default database, only — see DEBUG_MODES)."""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qs, urldefrag, urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

ROLES = [
    "sys_admin",
    "sec_admin",
    "audit_admin",
    "supervisor",
    "secretary",
    "leader",
    "member",
    "observer",
]
ADMIN_ROLES = {"sys_admin", "sec_admin", "audit_admin"}
HREF = re.compile(r'href="([^"#][^"]*)"')
RAW_TEMPLATE = re.compile(r"\{\{|\{%|%\}|\}\}")
# Links that end the session or change state on GET are not followed.
SKIP = ("/accounts/logout", "/api/", "/static/", "/media/")


def signed_in(username: str) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhongxinzu.accounts.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user, backend="zhongxinzu.accounts.backends.PolicyModelBackend")
    if username in ADMIN_ROLES:
        device = TOTPDevice.objects.create(user=user, name="crawl", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


SKIP_INPUTS = ("submit", "button", "checkbox", "radio", "file")


class GetForms(HTMLParser):
    """The URLs the page's GET forms (filters, searches) submit with their values as shown."""

    def __init__(self, page: str):
        super().__init__()
        self.page, self.urls, self.form, self.select = page, [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "get":
                self.form = (a.get("action") or self.page.split("?")[0], [])
        elif self.form is None:
            return
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in a:
                self.select[1] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self.select = [a["name"], None]
        elif tag == "input" and a.get("name") and a.get("type", "text") not in SKIP_INPUTS:
            self.form[1].append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "select" and self.form is not None and self.select is not None:
            self.form[1].append((self.select[0], self.select[1] or ""))
            self.select = None
        elif tag == "form" and self.form is not None:
            action, fields = self.form
            self.urls.append(f"{action}?{urlencode(fields)}" if fields else action)
            self.form = None


def get_forms(html: str, page: str) -> list[str]:
    parser = GetForms(page)
    parser.feed(html)
    return parser.urls


def links(html: str, page: str = "/") -> list[str]:
    found = []
    for href in [*HREF.findall(html), *get_forms(html, page)]:
        url = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP):
            continue
        found.append(url)
    return found


def variant(url: str, years: range) -> tuple | None:
    """What makes a link a new case: its path, the names of its parameters and the year it
    asks for; None for a year or month the demo holds no records for."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    asked = [v[:4] for key in ("year", "month") for v in query.get(key, [])]
    if not all(v.isdigit() and int(v) in years for v in asked):
        return None
    return parts.path, frozenset(query), tuple(asked)


def crawl(client: Client) -> tuple[int, list[str]]:
    from django.utils import timezone

    this_year = timezone.localdate().year
    years = range(this_year - 1, this_year + 2)
    seen, cases, failures = set(), set(), []
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        response = client.get(url, follow=True)
        status = response.status_code
        if status >= 400:
            failures.append(f"{status} {url}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        body = html.split("<body", 1)[-1]
        if RAW_TEMPLATE.search(re.sub(r"<script.*?</script>", "", body, flags=re.S)):
            failures.append(f"raw template syntax {url}")
        for link in links(html, url):
            case = variant(link, years)
            if link in seen or case is None or case in cases:
                continue
            seen.add(link)
            cases.add(case)
            queue.append(link)
    return len(seen), failures


# With DEBUG on, templates fail on what DEBUG off hides (a missing variable in a tag); that
# does not depend on the database, so the second crawl runs on the default one (SQLite) only
# and the PostgreSQL run, which takes twice as long, crawls once.
ON_SQLITE = django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
DEBUG_MODES = [False, True] if ON_SQLITE else [False]


@pytest.mark.parametrize("debug", DEBUG_MODES, ids=["debug-off", "debug-on"][: len(DEBUG_MODES)])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_opens(city, settings, role, debug):
    settings.DEBUG = debug
    visited, failures = crawl(signed_in(role))
    assert visited > 3, f"{role} reached only {visited} pages"
    assert failures == [], "\n".join(failures)
