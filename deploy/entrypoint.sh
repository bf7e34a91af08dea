#!/bin/sh
# The roles of the Seams image: the first argument picks the process, the
# environment configures it (README.md lists the variables). Every role is one
# real command, run with exec so it gets the signals (SIGTERM stops it cleanly).
#
#   web       gunicorn (gthread) serving the apps in SEAMS_SERVICES: public API,
#             admin, internal RPC endpoint, /healthz, /readyz, /metrics
#   gateway   the same web process in front of extracted apps: their public
#             routes are proxied to SEAMS_SERVICE_URLS (strangler fig)
#   worker    Celery worker: the event queues of the services in SEAMS_SERVICES
#   beat      Celery beat: outbox retention and re-driving failed deliveries
#   relay     the outbox relay (manage.py outbox relay)
#   migrate   manage.py migrate (the Kubernetes Job / compose one-shot)
#   manage    any manage.py command: manage outbox status
#
# SEAMS_ENTRYPOINT_PRINT=1 prints the command instead of running it (tests).
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web|gateway)
    set -- gunicorn -c deploy/gunicorn.conf.py project.wsgi:application "$@" ;;
  worker)
    # Concurrency and prefetch come from the settings (CELERY_WORKER_CONCURRENCY,
    # CELERY_WORKER_PREFETCH_MULTIPLIER), as in the Procfile.
    set -- celery -A project worker -P threads --without-gossip --without-mingle -l INFO "$@" ;;
  beat)
    set -- celery -A project beat -l INFO --schedule /tmp/celerybeat-schedule "$@" ;;
  relay)
    set -- python manage.py outbox relay "$@" ;;
  migrate)
    set -- python manage.py migrate --noinput "$@" ;;
  manage)
    set -- python manage.py "$@" ;;
  *)
    echo "unknown role '$role': web, gateway, worker, beat, relay, migrate or manage" >&2
    exit 64 ;;
esac

if [ "${SEAMS_ENTRYPOINT_PRINT:-}" = "1" ]; then
  echo "$@"
  exit 0
fi
exec "$@"
