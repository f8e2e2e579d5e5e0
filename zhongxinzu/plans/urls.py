from django.urls import path

from zhongxinzu.plans import plan_views, views

app_name = "plans"

urlpatterns = [
    # 学习提示
    path("prompts/", views.prompt_list, name="prompt_list"),
    path("prompts/new/", views.prompt_create, name="prompt_create"),
    path("prompts/<int:pk>/", views.prompt_detail, name="prompt_detail"),
    path("prompts/<int:pk>/edit/", views.prompt_edit, name="prompt_edit"),
    path("prompts/<int:pk>/issue/", views.prompt_issue, name="prompt_issue"),
    path("prompts/<int:pk>/delete/", views.prompt_delete, name="prompt_delete"),
    path("prompts/<int:pk>/ack/", views.prompt_ack, name="prompt_ack"),
    path("prompts/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    # 第一议题
    path("first-items/", views.first_item_list, name="first_item_list"),
    path("first-items/export.xlsx", views.first_item_list_xlsx, name="first_item_list_xlsx"),
    path("first-items/new/", views.first_item_create, name="first_item_create"),
    path("first-items/<int:pk>/", views.first_item_detail, name="first_item_detail"),
    path("first-items/<int:pk>/edit/", views.first_item_edit, name="first_item_edit"),
    path("first-items/<int:pk>/delete/", views.first_item_delete, name="first_item_delete"),
    # 年度学习计划
    path("", plan_views.plan_list, name="plan_list"),
    path("new/", plan_views.plan_create, name="plan_create"),
    path("filing/", plan_views.filing_overview, name="filing_overview"),
    path("filing/export.xlsx", plan_views.filing_overview_xlsx, name="filing_overview_xlsx"),
    path("<int:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("<int:pk>/topics/new/", plan_views.topic_create, name="topic_create"),
    path("topics/<int:pk>/edit/", plan_views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/delete/", plan_views.topic_delete, name="topic_delete"),
    path("<int:pk>/submit/", plan_views.plan_submit, name="plan_submit"),
    path("<int:pk>/approve/", plan_views.plan_approve, name="plan_approve"),
    path("<int:pk>/return/", plan_views.plan_return, name="plan_return"),
    path("<int:pk>/file/", plan_views.plan_file, name="plan_file"),
    path("<int:pk>/reopen/", plan_views.plan_reopen, name="plan_reopen"),
    path("<int:pk>/plan.docx", plan_views.plan_docx, name="plan_docx"),
]
