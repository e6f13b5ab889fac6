"""gunicorn settings for ALERT results records, read from the environment.

GUNICORN_BIND     address to listen on (default 127.0.0.1:8000: only this machine;
                  a proxy in front, or the container image, sets its own)
GUNICORN_WORKERS  worker processes (default 2 x CPUs + 1, at most 8)
GUNICORN_THREADS  threads per worker (default 1)
GUNICORN_TIMEOUT  seconds a request may take (default 120: the admin's import
                  preview and confirm each re-read a whole file)
"""

import multiprocessing
import os

wsgi_app = "alert.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak can never take a server down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Logs to standard output/error, for the container runtime or systemd journal.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Trust X-Forwarded-* only from the proxy in front (comma-separated addresses).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket defaults to one path per user: several instances
# on one host would fight over it. Off unless asked for.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
