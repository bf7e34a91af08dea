"""Domain-free building blocks of the apps' REST APIs.

Every app may import this package; it imports no app, nor ``extraction`` or
``project``. It holds web-layer plumbing only (and ``tasks``, how an app declares
a Celery task): nothing here knows what a user, an order or a payment is.
"""
