"""The import-linter contracts hold, and they bite when an import crosses a boundary."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("project", "apps", "contracts", "extraction", "apikit")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "importlinter.ini", "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations"),
        )
    shutil.copy(ROOT / "importlinter.ini", tmp_path / "importlinter.ini")
    return tmp_path


def test_the_repository_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_of_payments_inside_orders_breaks_the_independence_contract(tree_copy):
    # given: a copy of the code where orders imports the payments app
    with (tree_copy / "apps/orders/services_leak.py").open("w") as module:
        module.write("from apps.payments import selectors  # noqa\n")
    # when
    result = lint_imports(tree_copy)
    # then
    assert result.returncode != 0
    assert "The bounded apps never import each other BROKEN" in result.stdout
    assert "apps.orders.services_leak -> apps.payments.selectors" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        (
            "contracts/leak.py",
            "import django.db.models\n",
            "contracts import neither apps, extraction, project nor Django BROKEN",
        ),
        (
            "extraction/leak.py",
            "import apps.users.models\n",
            "extraction is generic: it imports no app BROKEN",
        ),
        (
            "apps/users/leak.py",
            "import extraction.models\n",
            "apps import neither extraction nor project BROKEN",
        ),
    ],
)
def test_each_forbidden_contract_bites(tree_copy, module, line, broken):
    (tree_copy / module).write_text(line)
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert broken in result.stdout
