"""Browser tests: Playwright (sync API) driving Debian's /usr/bin/chromium, headless, against
pytest-django's live server. Never a browser downloaded by Playwright: `make test-browser`
installs the Debian package (scripts/ensure-chromium.sh) and nothing runs `playwright install`.

Screenshots of every main step land in test-artifacts/browser/<test>/ (gitignored, kept as CI
artifacts). Run only these with `make test-browser` or `.venv/bin/pytest -m browser`.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, and on a closed
# network every such call fails; as root it needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    # Everything under tests/browser is a browser test, marked or not.
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop in the main thread; Django's ORM would then
    # refuse the fixtures' queries as "async unsafe" although nothing here is concurrent.
    old = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if old is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = old


@pytest.fixture(scope="session")
def browser(_allow_orm_beside_playwright):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: run scripts/ensure-chromium.sh (Debian's chromium)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The live server needs a transactional test database, which is flushed after each test.
# The audit triggers rightly refuse to delete young audit rows (and every login writes one),
# so they are lifted just for that flush and put back before the next test.
_TRIGGERS = importlib.import_module("zhongxinzu.audit.migrations.0002_append_only_triggers")
_triggers_present = True


@pytest.fixture(autouse=True)
def _audit_triggers_lifted_for_flush(transactional_db) -> Iterator[None]:
    global _triggers_present
    if not _triggers_present:
        with connection.schema_editor() as editor:
            _TRIGGERS.forwards(None, editor)
        _triggers_present = True
    yield
    with connection.schema_editor() as editor:
        _TRIGGERS.backwards(None, editor)
    _triggers_present = False


@pytest.fixture(autouse=True)
def _rule_defaults(transactional_db) -> None:
    """The live server's database is flushed after each test, data migrations included:
    put the default rule values (rules/defaults.json) back."""
    from django.apps import apps

    importlib.import_module("zhongxinzu.rules.migrations.0002_default_values").load(apps, None)


@pytest.fixture
def shots(request) -> Callable:
    """shots(page, "step") saves a full-page screenshot; numbered in the order taken."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    taken = []

    def take(page, step: str) -> Path:
        taken.append(step)
        safe = re.sub(r"[^\w.-]+", "_", step)
        path = folder / f"{len(taken):02d}-{safe}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _new_page(browser, viewport, phone: bool):
    context = browser.new_context(
        viewport=viewport,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text),
    )
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A desktop-width page. Fails the test if the page broke its Content Security Policy."""
    context, page = _new_page(browser, DESKTOP, phone=False)
    yield page
    context.close()
    assert not page.csp_errors, page.csp_errors


@pytest.fixture
def phone_page(browser, live_server):
    """A page 375 px wide, as on a phone."""
    context, page = _new_page(browser, PHONE, phone=True)
    yield page
    context.close()
    assert not page.csp_errors, page.csp_errors


@pytest.fixture
def url(live_server) -> Callable[..., str]:
    """url("org:unit_detail", pk) → absolute URL on the live server."""

    def build(name: str, *args, query: str = "") -> str:
        return f"{live_server.url}{reverse(name, args=args)}{'?' + query if query else ''}"

    return build


@pytest.fixture
def login(world, url, shots) -> Callable:
    """login(page, role) signs `role` of the `world` fixture in through the real login form
    (and the TOTP step for the admin roles) and returns the page where it landed."""

    def sign_in(page, role: str):
        page.goto(url("accounts:login"))
        shots(page, f"{role}-login-form")
        form = page.locator("form", has=page.locator("input[name=password]"))
        form.locator("input[name=username]").fill(role)
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        if role in world.devices and "/otp/" in page.url:
            from django_otp.oath import totp

            device = world.devices[role]
            page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
            page.locator("form button[type=submit]").click()
            page.wait_for_load_state()
        assert reverse("accounts:login") not in page.url, f"{role} could not log in"
        shots(page, f"{role}-logged-in")
        return page

    return sign_in


def no_horizontal_overflow(page) -> tuple[int, int]:
    """(document scroll width, viewport width) of the page."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
