"""The Celery application of every Seams process (configured from Django settings).

A plain ``celery -A project worker`` consumes exactly the queues of the services
in this process (``SEAMS_SERVICES``), configured here, at import time, as
``task_queues`` — Celery 5 consumes only the queues it knows when the worker
starts (a queue added to ``app.amqp.queues`` later is ignored unless ``-Q`` names
it):

- ``<prefix>.<service>``: the service's event queue, bound to the events the
  subscription manifest (``contracts.subscriptions``) says it consumes;
- ``<prefix>.<service>.tasks``: the service's own Celery tasks. A task named
  ``<service>.<…>`` is routed there whichever process sends it; the event
  machinery's per-process tasks (purge, redrive, sent by this process's beat) go
  to the task queue of the process's first service. There is no shared
  ``celery`` queue, so no process ever runs another service's work.
"""

import os

from celery import Celery, signals
from django.conf import settings

from extraction.events.routing import local_queues, service_queue, task_queue
from extraction.observability import celery_outcomes

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("seams")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task outcomes are counted in every process that has the app (a web process
# creates it when a tasks module is first imported: apikit.tasks).
celery_outcomes.connect()


def route_task(name: str, args: object, kwargs: object, options: object, **rest: object) -> dict:
    """``<service>.<task>`` goes to that service's task queue; anything else to the default."""
    service, _, _ = name.partition(".")
    if service in settings.ALL_SERVICES:
        queue = task_queue(service)
        return {"queue": queue.name, "exchange": queue.exchange, "routing_key": queue.routing_key}
    return {}


@app.on_after_configure.connect
def configure_service_queues(sender: Celery, **kwargs: object) -> None:
    """The queues of this process's services, once Django's settings are loaded.

    Done when Celery reads its configuration rather than at import: a settings
    module that imports ``project.settings`` (and so this package) must not have
    Django's settings read before it has finished.
    """
    home = task_queue(settings.SEAMS_SERVICES[0])
    sender.conf.task_queues = [
        *local_queues(),
        *(task_queue(service) for service in settings.SEAMS_SERVICES),
    ]
    sender.conf.task_default_queue = home.name
    sender.conf.task_default_exchange = home.exchange.name
    sender.conf.task_default_exchange_type = "direct"
    sender.conf.task_default_routing_key = home.routing_key
    sender.conf.task_routes = (route_task,)
    # Remote control (celery inspect) per namespace: workers of another prefix — a
    # test's, another deployment's on the same vhost — never share a node's mailbox.
    sender.conf.control_exchange = f"{settings.SEAMS_EVENTS_PREFIX}.control"


@signals.celeryd_init.connect
def bind_loaded_handlers(**kwargs: object) -> None:
    """Add what the handlers loaded at start-up subscribe beyond the manifest (probes).

    Runs before the worker selects its queues (Django is set up by then). The
    manifest's bindings are in place already; this only widens them. A worker
    whose start-up checks fail (no broker in a split deployment) exits here.
    """
    from extraction.checks import startup_refusal

    if refusal := startup_refusal("worker"):
        raise SystemExit(refusal)  # an exception would only be logged by the signal
    queues = app.amqp.queues
    for service in settings.SEAMS_SERVICES:
        queue = service_queue(service)
        if queue is None:
            continue
        if queue.name in queues:
            queues[queue.name].bindings = queue.bindings
        else:
            queues.select_add(queue)
