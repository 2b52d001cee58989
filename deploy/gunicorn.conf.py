"""gunicorn settings behind nginx: `gunicorn -c deploy/gunicorn.conf.py app:app` (see README)."""

import multiprocessing

# systemd's ipr-web.socket hands this socket over (nginx connects to it); without the socket
# unit gunicorn creates it itself. Never listen on a public address: nginx is the front.
bind = "unix:/run/ipr_apps.sock"
forwarded_allow_ips = "127.0.0.1,::1"  # X-Forwarded-Proto only from nginx (a socket is trusted)

# Sync workers are right behind nginx: it buffers whole requests and answers, so a worker is
# busy only while the app itself works.
worker_class = "sync"
workers = multiprocessing.cpu_count() * 2 + 1
timeout = 60  # a request running longer is killed (nginx's proxy_read_timeout is the same)
graceful_timeout = 30
max_requests = 1000  # recycle workers now and then (bounded memory growth)
max_requests_jitter = 100

# Logs go to standard output, i.e. the journal; the client address is nginx's X-Forwarded-For.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

control_socket = "/run/ipr_apps/gunicorn.ctl"  # systemd's RuntimeDirectory=ipr_apps
