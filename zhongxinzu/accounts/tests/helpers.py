"""Helpers shared by the accounts tests."""

from django.urls import reverse

from conftest import PASSWORD


def password_login(client, username, password=PASSWORD, **extra):
    """Sign in through the real login form (so axes, signals and the audit all run)."""
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def totp_now(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
