from django.urls import path

from zhongxinzu.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("new/", views.scheme_create, name="scheme_create"),
    path("mine/", views.my_results, name="my_results"),
    path("<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/indicators/new/", views.indicator_add, name="indicator_add"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("indicators/<int:pk>/scores/", views.manual_scores, name="manual_scores"),
    path("<int:pk>/adjustments/", views.adjustment_add, name="adjustment_add"),
    path("adjustments/<int:pk>/delete/", views.adjustment_delete, name="adjustment_delete"),
    path("<int:pk>/compute/", views.scheme_compute, name="scheme_compute"),
    path("<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("<int:pk>/new-edition/", views.scheme_new_edition, name="scheme_new_edition"),
    path("<int:pk>/ranking/", views.ranking, name="ranking"),
    path("<int:pk>/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("<int:pk>/talk-list.xlsx", views.talk_list_export, name="talk_list_export"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
]
