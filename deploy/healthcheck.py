"""The image's HEALTHCHECK: the web process answers ``/healthz`` (no dependency checked).

Standard library only (the slim image has no curl). The Host header is one that
the default ``ALLOWED_HOSTS`` accepts.
"""

import os
import sys
import urllib.request

request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz", headers={"Host": "localhost"}
)
try:
    with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
