"""Reading a Prometheus exposition in tests, and a free TCP port of this checkout's range."""

from __future__ import annotations

import os
import random
import socket

from prometheus_client.parser import text_string_to_metric_families

# Tests that start servers take ports from SEAMS_TEST_PORTS ("8500-8599" by default).
_low, _, _high = os.environ.get("SEAMS_TEST_PORTS", "8500-8599").partition("-")
PORTS = range(int(_low), int(_high) + 1)


def free_port(*, other_than: int | None = None) -> int:
    # Random order: two test processes rarely try the same port at the same time.
    for port in random.sample(PORTS, len(PORTS)):
        if port == other_than:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    found = [v for n, ls, v in samples(text) if n == name and labels.items() <= ls.items()]
    assert found, f"no sample {name}{labels} in the exposition"
    return sum(found)
