from django.urls import path

from zhongxinzu.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("groups/<int:pk>/", views.group_archive, name="group"),
    path("groups/<int:pk>/build/", views.volume_build, name="build"),
    path("volumes/<int:pk>/download/", views.volume_download, name="download"),
]
