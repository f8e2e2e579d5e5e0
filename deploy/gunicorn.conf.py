"""gunicorn settings for production (see README「部署」). Values can be overridden from the
environment file: GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT."""

import multiprocessing
import os

# nginx on the same host is the only client; never listen on a public address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A 10,000-row roster import or a year's document takes seconds, not minutes.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host may tell us the scheme (X-Forwarded-Proto).
forwarded_allow_ips = "127.0.0.1"
# Heartbeat files in RAM: a slow disk must not make gunicorn kill healthy workers.
worker_tmp_dir = "/dev/shm"  # noqa: S108
umask = 0o027
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Request-id is set by the application (X-Request-ID) and logged here beside the address.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
proc_name = "zhongxinzu"
