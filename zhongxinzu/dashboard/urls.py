from django.urls import path

from zhongxinzu.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("unit/", views.unit, name="unit"),
    path("groups/<int:pk>/", views.group, name="group"),
]
