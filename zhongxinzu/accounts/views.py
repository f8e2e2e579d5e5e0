# Placeholder: the accounts views are being written.
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "POST":
        user = authenticate(request, username=request.POST.get("username"),
                            password=request.POST.get("password"))
        if user is not None:
            login(request, user)
            return redirect("home")
    return render(request, "accounts/login.html")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def password_change(request):
    return HttpResponse("TODO")


otp_setup = otp_verify = user_list = grant_list = lockout_list = password_change
