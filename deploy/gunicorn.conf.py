"""gunicorn settings of every Seams web process (the image's ``web`` role).

gthread workers: an RPC caller keeps its connection alive (the sync worker
answers ``Connection: close``). TLS ends at the ingress or load balancer, which
sets ``X-Forwarded-Proto``; Django trusts that header (``SECURE_PROXY_SSL_HEADER``).
Environment: ``PORT`` (8000), ``WEB_CONCURRENCY`` (processes, 2),
``GUNICORN_THREADS`` (8), ``PROMETHEUS_MULTIPROC_DIR`` (metrics of all processes).
"""

import os
import shutil
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 25  # under the pod's terminationGracePeriodSeconds
keepalive = 75  # longer than the load balancer's idle timeout: it closes first
# The pod only hears from the ingress and its neighbours; the header tells https.
forwarded_allow_ips = "*"
control_socket_disable = True
# The application logs each request (structlog JSON); no second access log.
accesslog = None
errorlog = "-"

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server):  # type: ignore[no-untyped-def]
    # Samples of a previous run would be summed into this one's.
    if _metrics_dir:
        path = Path(_metrics_dir)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
