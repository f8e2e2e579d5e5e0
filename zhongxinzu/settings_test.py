"""Settings for the test suite: the real settings plus a known key and a fast hasher.
(Argon2id itself is exercised by accounts/tests/test_passwords.py.)"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DEMO_MODE", "1")

from zhongxinzu.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "zhongxinzu.lib.storage.CommitFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Rate limits are off for the suite (hundreds of logins and downloads a minute from one
# address); zhongxinzu/tests/test_ratelimit.py switches them on with small limits. The
# counters stay in this process.
RATELIMIT_ENABLE = False
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}
# WhiteNoise serves STATIC_ROOT (collectstatic's output, absent in a fresh clone) and warns
# on every request when the directory is missing; the suite serves static files from the
# apps (StaticFilesStorage above), so an empty directory is all it needs.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
