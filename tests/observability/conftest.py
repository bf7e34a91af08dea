"""The event tests' broker fixtures, for the observability tests that need a broker."""

from tests.extraction.conftest import broker_prefix, rabbitmq  # noqa: F401
