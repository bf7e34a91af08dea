"""The project's settings plus the benchmark's floor view (bench/rpc.py only)."""

from project.settings import *  # noqa: F403 - the same settings, one URL more

ROOT_URLCONF = "bench.rpc_urls"
# The floor views are served like the internal endpoint: plain HTTP on the loopback.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^bench/"]  # noqa: F405
