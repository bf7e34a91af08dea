"""The event tests' broker and process fixtures, for the end-to-end tests that start services."""

from tests.extraction.conftest import broker_prefix, processes, rabbitmq  # noqa: F401
