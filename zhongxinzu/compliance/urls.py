from django.urls import path

from zhongxinzu.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("overview/export.xlsx", views.overview_xlsx, name="overview_xlsx"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/records/<slug:key>/", views.records, name="records"),
    path("groups/<int:pk>/report/", views.report_edit, name="report_edit"),
    path("groups/<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path("groups/<int:pk>/attendance/", views.register, name="register"),
    path("groups/<int:pk>/attendance.xlsx", views.register_xlsx, name="register_xlsx"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.notification_read, name="notification_read"),
]
