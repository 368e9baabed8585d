"""gunicorn's configuration: `gunicorn -c config/gunicorn.conf.py config.wsgi` (make serve).

Every value can be changed from the environment without editing this file.
"""

import os

# 127.0.0.1 only: a reverse proxy (docs/deploy.md) faces the network, not gunicorn.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT') or '8000'}"
# Sync workers: each request holds one; two per core is gunicorn's advice for I/O-light pages.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
# Publishing a large bulletin renders its PDF inside the request (about 16 s at 100x).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so a slow leak cannot grow.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = 200
# Logs on stdout/stderr, for the service manager (systemd's journal) to keep.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy on the same machine or network may say which address a request came from.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
# gunicorn's control socket (gunicornc) has one default path per user: two servers on one
# machine (a rehearsal beside production, the tests) would take each other's. Off unless asked.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
