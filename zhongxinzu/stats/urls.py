from django.urls import path

from zhongxinzu.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.table, name="table"),
    path("export.xlsx", views.table_xlsx, name="table_xlsx"),
    path("records/", views.records, name="records"),
]
