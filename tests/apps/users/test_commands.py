"""Operator commands: create_staff and deactivate_user."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.users.models import User
from extraction.models import OutboxEvent
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "plum-orchard-47-lantern"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_staff_help_documents_every_option():
    # when: as an operator runs it, in a process of its own
    result = subprocess.run(
        [sys.executable, "manage.py", "create_staff", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stderr
    for option in ("--email", "--full-name", "--superuser", "--password-env"):
        assert option in result.stdout


def test_create_staff_reads_the_password_from_the_named_variable(monkeypatch):
    # given
    monkeypatch.setenv("OPS_PASSWORD", PASSWORD)
    # when
    output = run(
        "create_staff",
        "--email=Ops@Seams.example",
        "--full-name=Ops Team",
        "--password-env=OPS_PASSWORD",
    )
    # then
    user = User.objects.get(email="ops@seams.example")
    assert (user.full_name, user.is_staff, user.is_superuser) == ("Ops Team", True, False)
    assert user.check_password(PASSWORD)
    assert "Created staff user ops@seams.example" in output


def test_create_staff_superuser_with_the_interactive_prompt(monkeypatch):
    # given
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    # when
    run("create_staff", "--email=root@seams.example", "--superuser")
    # then
    user = User.objects.get(email="root@seams.example")
    assert user.is_superuser and user.is_staff


def test_create_staff_refuses_an_existing_email(monkeypatch):
    # given
    UserFactory(email="ops@seams.example")
    monkeypatch.setenv("OPS_PASSWORD", PASSWORD)
    # when / then
    with pytest.raises(CommandError, match="exists already"):
        run("create_staff", "--email=OPS@seams.example", "--password-env=OPS_PASSWORD")
    assert User.objects.filter(is_staff=True).count() == 0


@pytest.mark.parametrize(
    ("answers", "message"),
    [([PASSWORD, "something else"], "differ"), (["", ""], "empty")],
)
def test_create_staff_refuses_mismatched_or_empty_prompted_passwords(monkeypatch, answers, message):
    # given
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))
    # when / then
    with pytest.raises(CommandError, match=message):
        run("create_staff", "--email=ops@seams.example")
    assert not User.objects.exists()


def test_create_staff_refuses_a_missing_variable_and_a_weak_password(monkeypatch):
    # given
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    monkeypatch.setenv("WEAK", "123")
    # then
    with pytest.raises(CommandError, match="NOT_SET_ANYWHERE is not set"):
        run("create_staff", "--email=a@seams.example", "--password-env=NOT_SET_ANYWHERE")
    with pytest.raises(CommandError, match=r"too weak.*too short"):
        run("create_staff", "--email=a@seams.example", "--password-env=WEAK")
    assert not User.objects.exists()


def test_deactivate_user_goes_through_the_service():
    # given
    user = UserFactory(email="ada@example.com")
    # when
    output = run("deactivate_user", "--email=ADA@example.com")
    # then
    user.refresh_from_db()
    assert not user.is_active
    assert OutboxEvent.objects.filter(name="users.UserDeactivated").count() == 1
    assert "Deactivated ada@example.com" in output


def test_deactivate_user_refuses_unknown_and_inactive_accounts():
    # given
    UserFactory(email="gone@example.com", is_active=False)
    # then
    with pytest.raises(CommandError, match="No such user"):
        run("deactivate_user", "--email=nobody@example.com")
    with pytest.raises(CommandError, match="deactivated already"):
        run("deactivate_user", "--email=gone@example.com")
