"""Settings for 中心组学习管理平台; production values come from the environment."""

from pathlib import Path

import dj_database_url

from zhongxinzu.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# Demo accounts and `seed_demo` work only here; production runs with DEMO_MODE unset.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)
SECRET_KEY = env_str("SECRET_KEY") or ("insecure-dev-key-" + "x" * 40 if DEBUG else "")
# Backups are signed (HMAC-SHA256) with a key kept outside them; see .env.example.
BACKUP_SIGNING_KEY = env_str("BACKUP_SIGNING_KEY", "")
BACKUP_SIGNING_KEY_FILE = env_str("BACKUP_SIGNING_KEY_FILE", "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG=0")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "zhongxinzu.audit",
    "zhongxinzu.org",
    "zhongxinzu.accounts",
    "zhongxinzu.api",
    "zhongxinzu.rules",
    "zhongxinzu.plans",
    "zhongxinzu.meetings",
    "zhongxinzu.outputs",
    "zhongxinzu.compliance",
    "zhongxinzu.supervision",
    "zhongxinzu.assessment",
    "zhongxinzu.ops",
    "zhongxinzu.jobs",
    "zhongxinzu.stats",
    "zhongxinzu.filings",
    "zhongxinzu.bulletins",
    "zhongxinzu.archive",
    "zhongxinzu.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhongxinzu.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhongxinzu.accounts.middleware.SessionPolicyMiddleware",
    "zhongxinzu.lib.ratelimit.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhongxinzu.urls"
WSGI_APPLICATION = "zhongxinzu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhongxinzu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhongxinzu.org.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    "transaction_mode": "IMMEDIATE",
    # Seconds a writer waits for another writer's transaction before "database is locked".
    "timeout": 20,
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhongxinzu.accounts.backends.PolicyModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "zhongxinzu.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhongxinzu.accounts.validators.CharacterClassValidator"},
    {"NAME": "zhongxinzu.accounts.validators.PasswordHistoryValidator"},
]
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
PASSWORD_HISTORY_COUNT = env_int("PASSWORD_HISTORY_COUNT", 5)
ACCOUNT_DORMANT_DAYS = env_int("ACCOUNT_DORMANT_DAYS", 90)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

# Sessions: idle timeout via cookie age renewed on each request, absolute limit in middleware.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False  # renewed once a minute (SessionPolicyMiddleware)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 8)

# django-axes: lock on username + IP together after 5 failures.
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("LOCKOUT_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# The client address: X-Forwarded-For is believed only when the request comes from a listed
# reverse proxy (deploy/nginx overwrites the header with the client's address).
TRUSTED_PROXIES = set(env_list("TRUSTED_PROXIES"))
AXES_CLIENT_IP_CALLABLE = "zhongxinzu.audit.middleware.resolve_client_ip"

# Rate limits (zhongxinzu/lib/ratelimit.py, django-ratelimit): per client address and per
# account, "count/period" with period s, m, h or d (e.g. "10/5m"). Counters live in a file
# cache that every gunicorn worker of the host shares, with no extra server.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMITS = {
    "login": {
        "ip": env_str("RATELIMIT_LOGIN_IP", "30/m"),
        "account": env_str("RATELIMIT_LOGIN_ACCOUNT", "10/m"),
    },
    "token": {
        "ip": env_str("RATELIMIT_TOKEN_IP", "30/m"),
        "account": env_str("RATELIMIT_TOKEN_ACCOUNT", "10/m"),
    },
    "api": {
        "ip": env_str("RATELIMIT_API_IP", "1200/m"),
        "account": env_str("RATELIMIT_API_ACCOUNT", "600/m"),
    },
    "export": {
        "ip": env_str("RATELIMIT_EXPORT_IP", "120/m"),
        "account": env_str("RATELIMIT_EXPORT_ACCOUNT", "60/m"),
    },
    "upload": {
        "ip": env_str("RATELIMIT_UPLOAD_IP", "60/m"),
        "account": env_str("RATELIMIT_UPLOAD_ACCOUNT", "30/m"),
    },
}
# The username-only lockout stage above axes' username+address one: this many failed logins
# of one username from any addresses lock it for the window.
RATELIMIT_LOGIN_FAILURES = env_str("RATELIMIT_LOGIN_FAILURES", "20/30m")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env_str("RATELIMIT_CACHE_DIR", str(BASE_DIR / "var" / "ratelimit")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

OTP_TOTP_ISSUER = "中心组学习管理平台"

# Security headers. HTTPS-only settings switch on when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Intranet host names cannot be on the browsers' public preload list, so its check
    # (security.W021) does not apply; set SECURE_HSTS_PRELOAD=1 for a public domain.
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
# The only UI language: messages stay Chinese whatever the browser's Accept-Language says.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "zhongxinzu" / "static"]
# The chart library, installed from package-lock.json by `make install` (or carried by the
# offline bundle), served as static/vendor/echarts/echarts.min.js; never committed.
if (BASE_DIR / "static-vendor").is_dir():
    STATICFILES_DIRS.append(("vendor", BASE_DIR / "static-vendor"))
STORAGES = {
    "default": {"BACKEND": "zhongxinzu.lib.storage.CommitFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "uploads")))

UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# Virus scan of every upload through ClamAV (Debian's clamav-daemon; deploy/README). The
# EICAR test signature is refused in every mode, scanner or not.
CLAMAV_ENABLED = env_bool("CLAMAV_ENABLED", False)
CLAMAV_COMMAND = env_str("CLAMAV_COMMAND", "clamdscan --no-summary --stream -")
CLAMAV_TIMEOUT_SECONDS = env_int("CLAMAV_TIMEOUT_SECONDS", 60)
AUDIT_RETENTION_DAYS = 184
PAGE_SIZE = 50

# Background jobs: django-tasks with its database backend (no extra server); the worker is
# `manage.py db_worker` (make run starts it; deploy/systemd/zhongxinzu-worker.service).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Roster/unit imports with more data rows than this run as a background job.
JOBS_IMPORT_SYNC_MAX_ROWS = env_int("JOBS_IMPORT_SYNC_MAX_ROWS", 500)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
