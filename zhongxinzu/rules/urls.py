from django.urls import path

from zhongxinzu.rules import views

app_name = "rules"

urlpatterns = [
    path("", views.rule_list, name="rule_list"),
    path("units/<int:pk>/set/", views.value_set, name="value_set"),
    path("values/<int:pk>/clear/", views.value_clear, name="value_clear"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
]
