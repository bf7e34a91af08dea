"""The permission catalog records the permissions of every bounded app (docs/identity.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from project.permission_catalog import CATALOG, describe, render


def test_the_catalog_matches_the_models_of_the_monolith():
    assert CATALOG.read_text() == render(describe()), (
        "a bounded app's permissions changed: run `manage.py permission_catalog --write`"
    )


def test_the_command_reports_a_stale_catalog(tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    from project.management.commands import permission_catalog

    stale = tmp_path / "permission_catalog.json"
    stale.write_text("[]\n")
    monkeypatch.setattr(permission_catalog, "CATALOG", stale)
    with pytest.raises(CommandError, match="is stale"):
        call_command("permission_catalog")
