"""gunicorn's settings for `make serve` (production). Environment: PORT (8000), HOST
(0.0.0.0), WEB_CONCURRENCY (workers; default two per CPU plus one: a worker waiting on the
database leaves its CPU to another), GUNICORN_TIMEOUT (60 s: a year of every Excel ledger
takes openpyxl about 15 s on a slow CPU)."""
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Phones on one bar of signal hold a connection open between requests; don't keep a sync
# worker waiting on them for long.
keepalive = 2
accesslog = os.environ.get("ACCESS_LOG")  # a path, or "-" for stdout; none by default
errorlog = "-"
proc_name = "fuxin_pwa"
# No control socket (gunicornc is not used): its default path is one per user, so two
# servers on one machine would fight over it.
control_socket_disable = True
