"""The Celery application of every Seams process (configured from Django settings).

A worker also consumes the event queues of the services in this process
(``SEAMS_SERVICES``), ``<prefix>.<service>``, each bound to the events that
service subscribes to (see extraction.routing). They are added when the worker
starts, once Django has loaded every app and so every subscription.
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("seams")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
def add_event_queues(**kwargs: object) -> None:
    from extraction.routing import local_queues

    for queue in local_queues():
        # Set directly: Queues.add() would also bind the queue to Celery's default
        # exchange; an event queue is bound to the events exchange only.
        app.amqp.queues[queue.name] = queue
