from django.urls import path  # noqa: F401

from zhongxinzu.supervision import problem_views, scoring_views, views

app_name = "supervision"

urlpatterns: list = [
    # 专家库、旁听组、旁听计划、旁听任务 (views)
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/export.xlsx", views.expert_list_xlsx, name="expert_list_xlsx"),
    path("experts/new/", views.expert_create, name="expert_create"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/deactivate/", views.expert_deactivate, name="expert_deactivate"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/members/add/", views.team_member_add, name="team_member_add"),
    path("team-members/<int:pk>/remove/", views.team_member_remove, name="team_member_remove"),
    path("team-members/<int:pk>/leader/", views.team_leader, name="team_leader"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/plan.xlsx", views.plan_detail_xlsx, name="plan_detail_xlsx"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plan-visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("plan-visits/<int:pk>/remove/", views.visit_remove, name="visit_remove"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/export.xlsx", views.visit_list_xlsx, name="visit_list_xlsx"),
    path("my-visits/", views.my_visits, name="my_visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/materials/", views.visit_materials, name="visit_materials"),
    path("visits/<int:pk>/checklist/", views.visit_checklist, name="visit_checklist"),
    path("visits/<int:pk>/onsite/", views.visit_onsite, name="visit_onsite"),
    path("visits/<int:pk>/interview/", views.visit_interview, name="visit_interview"),
    path("visits/<int:pk>/summary/", views.visit_summary, name="visit_summary"),
    path("visits/<int:pk>/feedback/", views.visit_feedback, name="visit_feedback"),
    path("visits/<int:pk>/letter.docx", views.visit_letter, name="visit_letter"),
    # 旁听评分 (scoring_views)
    path("scores/", scoring_views.visit_list, name="score_visit_list"),
    path("scores/export.xlsx", scoring_views.visit_list_xlsx, name="score_visit_list_xlsx"),
    path("scores/templates/", scoring_views.template_list, name="score_template_list"),
    path("scores/templates/new/", scoring_views.template_create, name="score_template_create"),
    path("scores/templates/<int:pk>/", scoring_views.template_edit, name="score_template_edit"),
    path("scores/stats/", scoring_views.score_stats, name="score_stats"),
    path("scores/stats.xlsx", scoring_views.score_stats_xlsx, name="score_stats_xlsx"),
    path("scores/stats.docx", scoring_views.score_stats_docx, name="score_stats_docx"),
    path("visits/<int:pk>/score/", scoring_views.sheet_fill, name="score_sheet_fill"),
    path("visits/<int:pk>/record/", scoring_views.record_sheet, name="score_record"),
    path("visits/<int:pk>/record.xlsx", scoring_views.record_sheet_xlsx, name="score_record_xlsx"),
    path("visits/<int:pk>/record.docx", scoring_views.record_sheet_docx, name="score_record_docx"),
    # 问题整改 (problem_views)
    path("problems/", problem_views.problem_list, name="problem_list"),
    path("problems/export.xlsx", problem_views.problem_list_xlsx, name="problem_list_xlsx"),
    path("problems/new/", problem_views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem_detail"),
    path(
        "problems/<int:pk>/report/", problem_views.rectification_report, name="rectification_report"
    ),
    path("problems/<int:pk>/close/", problem_views.rectification_close, name="rectification_close"),
    path(
        "problems/<int:pk>/return/", problem_views.rectification_return, name="rectification_return"
    ),
    path("reports/<int:pk>/file/", problem_views.report_file, name="rectification_report_file"),
    path("groups/<int:pk>/lists/", problem_views.group_lists, name="problem_group_lists"),
    path(
        "groups/<int:pk>/lists.xlsx",
        problem_views.group_lists_xlsx,
        name="problem_group_lists_xlsx",
    ),
    path(
        "groups/<int:pk>/lists.docx",
        problem_views.group_lists_docx,
        name="problem_group_lists_docx",
    ),
]
