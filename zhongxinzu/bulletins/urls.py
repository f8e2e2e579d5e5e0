from django.urls import path

from zhongxinzu.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_create, name="create"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/sections/<str:section>/", views.bulletin_section, name="section"),
    path("<int:pk>/practices/", views.bulletin_practices, name="practices"),
    path("<int:pk>/regenerate/", views.bulletin_regenerate, name="regenerate"),
    path("<int:pk>/issue/", views.bulletin_issue, name="issue"),
    path("<int:pk>/acknowledge/", views.bulletin_acknowledge, name="acknowledge"),
    path("<int:pk>/download/", views.bulletin_download, name="download"),
]
