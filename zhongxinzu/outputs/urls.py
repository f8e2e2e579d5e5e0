from django.urls import path

from zhongxinzu.outputs import views

app_name = "outputs"

urlpatterns = [
    path("", views.output_list, name="output_list"),
    path("export.xlsx", views.output_list_xlsx, name="output_list_xlsx"),
    path("new/", views.output_create, name="output_create"),
    path("stats/", views.output_stats, name="output_stats"),
    path("<int:pk>/", views.output_detail, name="output_detail"),
    path("<int:pk>/edit/", views.output_edit, name="output_edit"),
    path("<int:pk>/delete/", views.output_delete, name="output_delete"),
    path("<int:pk>/review/", views.output_review, name="output_review"),
    path("<int:pk>/file/", views.output_file, name="output_file"),
    path("<int:pk>/conversions/new/", views.conversion_create, name="conversion_create"),
    path("conversions/", views.conversion_list, name="conversion_list"),
    path("conversions/export.xlsx", views.conversion_list_xlsx, name="conversion_list_xlsx"),
    path("conversions/<int:pk>/delete/", views.conversion_delete, name="conversion_delete"),
]
