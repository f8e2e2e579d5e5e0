from django.urls import path

from zhongxinzu.org import io_views, views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/active/", views.unit_set_active, name="unit_set_active"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/new/", views.membership_create, name="membership_create"),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("roster-rules/", views.requirement_list, name="requirement_list"),
    path(
        "roster-rules/<int:pk>/deactivate/",
        views.requirement_deactivate,
        name="requirement_deactivate",
    ),
    # Excel import and export (io_views.py)
    path("import/", io_views.import_home, name="import_home"),
    path("import/units/", io_views.import_units, name="import_units"),
    path("import/roster/", io_views.import_roster, name="import_roster"),
    path("import/units/template.xlsx", io_views.units_template, name="units_template"),
    path("import/roster/template.xlsx", io_views.roster_template, name="roster_template"),
    path("units/export.xlsx", io_views.unit_export, name="unit_export"),
    path("people/export.xlsx", io_views.person_export, name="person_export"),
    path("groups/<int:pk>/roster.xlsx", io_views.roster_export, name="roster_export"),
    path("roster-rules/export.xlsx", io_views.requirement_export, name="requirement_export"),
]
