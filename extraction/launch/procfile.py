"""Read a Procfile and start its entries the way honcho (or foreman) does.

The process files under ``deploy/processes/`` are what operators and ``make
split`` run; the tests start their processes from the same entries through this
module, so a broken documented command fails the suite. Each entry runs with
``/bin/sh -c`` (as honcho runs it: variables and inline ``VAR=value`` prefixes
are the shell's), in a process group of its own so that stopping it stops its
children too (gunicorn and Celery pool workers).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# "name: command", as honcho reads it (comments and blank lines skipped).
_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>.+)$")


@dataclass(frozen=True)
class Entry:
    name: str
    command: str


def read_procfile(path: Path) -> dict[str, Entry]:
    """The entries of a Procfile, by name, in file order."""
    entries: dict[str, Entry] = {}
    for line in path.read_text().splitlines():
        match = _ENTRY.match(line.strip())
        if match and not line.lstrip().startswith("#"):
            entries[match["name"]] = Entry(match["name"], match["command"].strip())
    return entries


def start_entry(
    entry: Entry, *, env: Mapping[str, str], cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    """Start ``entry`` with ``env`` (the shell expands its variables), output to ``log``."""
    return subprocess.Popen(  # noqa: S603 - the command is a committed Procfile entry
        ["/bin/sh", "-c", entry.command],
        cwd=cwd,
        env=dict(env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own: stop kills the children too
    )


def stop(
    process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 15
) -> None:
    """Signal the whole process group; SIGKILL it if it outlives ``timeout``."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # Children that outlived their shell (a pool worker) die with the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
