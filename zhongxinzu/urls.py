from django.urls import include, path

from zhongxinzu import views
from zhongxinzu.api.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("zhongxinzu.accounts.urls")),
    path("audit/", include("zhongxinzu.audit.urls")),
    path("org/", include("zhongxinzu.org.urls")),
    path("plans/", include("zhongxinzu.plans.urls")),
    path("meetings/", include("zhongxinzu.meetings.urls")),
    path("outputs/", include("zhongxinzu.outputs.urls")),
    path("compliance/", include("zhongxinzu.compliance.urls")),
    path("supervision/", include("zhongxinzu.supervision.urls")),
    path("jobs/", include("zhongxinzu.jobs.urls")),
    path("assessment/", include("zhongxinzu.assessment.urls")),
    path("rules/", include("zhongxinzu.rules.urls")),
    path("stats/", include("zhongxinzu.stats.urls")),
    path("filings/", include("zhongxinzu.filings.urls")),
    path("bulletins/", include("zhongxinzu.bulletins.urls")),
    path("archive/", include("zhongxinzu.archive.urls")),
    path("dashboard/", include("zhongxinzu.dashboard.urls")),
    path("api/", api.urls),
]
