"""`make run` shows the product's own error pages, never Django's debug page."""

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from zhongxinzu import urls as project_urls

ROOT = Path(__file__).resolve().parents[2]


def broken(request):
    raise RuntimeError("boom")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("broken/", broken),
    path("forbidden/", forbidden),
    path("", include(project_urls.urlpatterns)),
]


def test_make_run_serves_the_demo_with_debug_off():
    commands = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = [line for line in commands.splitlines() if "scripts/run-demo.sh" in line]
    assert serve, commands
    assert "DEBUG=0" in serve[0] and "DEMO_MODE=1" in serve[0]
    assert "DEBUG=1" not in commands
    # The script starts the job worker beside the server, which stops both on exit.
    script = (ROOT / "scripts" / "run-demo.sh").read_text()
    assert "manage.py db_worker" in script and "manage.py runserver --insecure" in script
    assert "trap stop EXIT" in script


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, status, heading",
    [
        ("/no-such-page/", 404, "页面不存在（404）"),
        ("/forbidden/", 403, "403"),
        ("/broken/", 500, "500"),
    ],
)
def test_demo_mode_answers_with_the_product_error_pages(settings, url, status, heading):
    settings.DEBUG = False
    settings.DEMO_MODE = True
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html and "中心组学习管理平台" in html
    assert "Traceback" not in html and "SECRET_KEY" not in html and "URLconf" not in html
