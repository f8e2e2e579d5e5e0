from django.urls import include, path

from zhongxinzu import views
from zhongxinzu.api.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("zhongxinzu.accounts.urls")),
    path("audit/", include("zhongxinzu.audit.urls")),
    path("org/", include("zhongxinzu.org.urls")),
    path("api/", api.urls),
]
