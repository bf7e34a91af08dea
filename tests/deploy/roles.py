"""The roles of the image (deploy/entrypoint.sh) and the command each one runs."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


def command_of(role: str, *args: str) -> list[str]:
    """What the image runs for ``role`` (the entrypoint prints it instead of running it)."""
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), role, *args],
        cwd=ROOT,
        env={**os.environ, "SEAMS_ENTRYPOINT_PRINT": "1"},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 0, f"role {role!r}: {result.stderr.strip()}"
    return shlex.split(result.stdout)
