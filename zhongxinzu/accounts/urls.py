from django.urls import path

from zhongxinzu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("users/", views.user_list, name="user_list"),
    path("grants/", views.grant_list, name="grant_list"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
]
