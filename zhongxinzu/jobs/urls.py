from django.urls import path

from zhongxinzu.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("compliance-refresh/", views.compliance_refresh_start, name="compliance_refresh"),
]
