"""Every page a demo role can reach opens: a breadth-first crawl of every in-app link from each
role's landing page over the full demo city, with DEBUG on and off.

A link fails the crawl when it answers 5xx (the test client re-raises the view's exception),
404 (an in-app link to nothing), or 403 (a visible link the user may not follow), or when the
page shows raw template syntax. Query-string variants of one path (calendar months, filters,
pages) are followed up to QUERY_VARIANTS per path, because month navigation never ends."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
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
QUERY_VARIANTS = 3
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


def links(html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP):
            continue
        found.append(url)
    return found


def crawl(client: Client) -> tuple[int, list[str]]:
    seen, variants, failures = set(), {}, []
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
        for link in links(html):
            if link in seen:
                continue
            path, _, query = link.partition("?")
            if query:
                variants[path] = variants.get(path, 0) + 1
                if variants[path] > QUERY_VARIANTS:
                    continue
            seen.add(link)
            queue.append(link)
    return len(seen), failures


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_opens(city, settings, role, debug):
    settings.DEBUG = debug
    visited, failures = crawl(signed_in(role))
    assert visited > 3, f"{role} reached only {visited} pages"
    assert failures == [], "\n".join(failures)
