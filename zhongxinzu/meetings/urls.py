from django.urls import path

from zhongxinzu.meetings import attendance_views as att
from zhongxinzu.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("export.xlsx", views.session_list_xlsx, name="session_list_xlsx"),
    path("calendar/", views.session_calendar, name="session_calendar"),
    path("new/", views.session_create, name="session_create"),
    path("mine/", att.my_study, name="my_study"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/held/", views.session_mark_held, name="session_mark_held"),
    path("<int:pk>/record/", views.session_record, name="session_record"),
    path("<int:pk>/print/record/", views.session_print_record, name="session_print_record"),
    path("<int:pk>/print/minutes/", views.session_print_minutes, name="session_print_minutes"),
    path("<int:pk>/attendance/", att.attendance_roll_call, name="attendance_roll_call"),
    path("<int:pk>/qr/", att.sign_in_qr, name="sign_in_qr"),
    path("<int:pk>/qr/image/", att.sign_in_qr_image, name="sign_in_qr_image"),
    path("sign-in/<slug:token>/", att.sign_in, name="sign_in"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/leave/", att.leave_create, name="leave_create"),
    path("leave/", att.leave_list, name="leave_list"),
    path("leave/export.xlsx", att.leave_list_xlsx, name="leave_list_xlsx"),
    path("leave/<int:pk>/", att.leave_decide, name="leave_decide"),
    path("makeups/", att.makeup_list, name="makeup_list"),
    path("makeups/export.xlsx", att.makeup_list_xlsx, name="makeup_list_xlsx"),
    path("makeups/<int:pk>/", att.makeup_detail, name="makeup_detail"),
    path("makeups/<int:pk>/review/", att.makeup_review, name="makeup_review"),
    path("makeups/<int:pk>/file/", att.makeup_file, name="makeup_file"),
]
