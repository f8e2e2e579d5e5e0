from django.urls import path

from zhongxinzu.filings import views

app_name = "filings"

urlpatterns = [
    path("", views.my_filings, name="my_filings"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/export/", views.task_export, name="task_export"),
    path("tasks/<int:pk>/remind/", views.task_remind, name="task_remind"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/submit/", views.submission_submit, name="submission_submit"),
    path("submissions/<int:pk>/return/", views.submission_return, name="submission_return"),
    path("submissions/<int:pk>/accept/", views.submission_accept, name="submission_accept"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("groups/<int:pk>/", views.group_filings, name="group_filings"),
]
