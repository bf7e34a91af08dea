"""``contracts`` passes ``mypy --strict``, and ``get(...)`` is typed for its callers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            "/dev/null",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_contracts_pass_mypy_strict():
    result = mypy("contracts")
    assert result.returncode == 0, result.stdout


def test_get_returns_the_contract_type_to_mypy(tmp_path):
    # given: a caller that uses the resolved service right, and one that does not
    snippet = tmp_path / "caller.py"
    snippet.write_text(
        "from uuid import UUID\n"
        "from contracts import get\n"
        "from contracts.users import UserDTO, UsersService\n"
        "def ok(user_id: UUID) -> UserDTO:\n"
        "    return get(UsersService).get_user(user_id=user_id)\n"
        "def wrong() -> None:\n"
        "    get(UsersService).get_user(user_id='not a uuid')\n"
        "    get(UsersService).no_such_method()\n"
    )
    # when
    result = mypy(str(snippet))
    # then: exactly the two misuses are reported
    assert (
        'Argument "user_id" to "get_user" of "UsersService" has incompatible type' in result.stdout
    )
    assert '"UsersService" has no attribute "no_such_method"' in result.stdout
    assert "Found 2 errors" in result.stdout
