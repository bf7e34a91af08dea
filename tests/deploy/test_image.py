"""The image: hadolint passes, and every role the deployments name is a real command.

No Docker engine runs here: the entrypoint prints the command of a role, and the
test checks that command with the program that would run it (gunicorn loads the
application, Celery and ``manage.py`` parse the arguments).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import click
import pytest
import yaml
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.core.management import CommandError, get_commands, load_command_class
from django.urls import resolve

from extraction.observability.middleware import PROBES
from project.celery import app as celery_app
from tests.deploy.kustomize import build, pod_spec
from tests.deploy.roles import ENTRYPOINT, ROOT, command_of

BIN = Path(sys.executable).parent
COMPOSE = sorted((ROOT / "deploy" / "compose").glob("*.yml"))
KUBERNETES = ROOT / "deploy" / "kubernetes" / "overlays"


def test_hadolint_passes_on_the_dockerfile():
    result = subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "info", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_non_root_with_a_healthcheck_and_the_entrypoint():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim AS build$", dockerfile, re.M)
    assert re.search(r"^FROM python:3\.11-slim AS runtime$", dockerfile, re.M)
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert 'CMD ["python", "deploy/healthcheck.py"]' in dockerfile
    assert 'ENTRYPOINT ["/srv/seams/deploy/entrypoint.sh"]' in dockerfile
    assert os.access(ENTRYPOINT, os.X_OK)


def roles_named_in_deployments() -> set[str]:
    roles = set()
    for path in COMPOSE:
        for service in yaml.safe_load(path.read_text())["services"].values():
            # Seams services use the image (or override a service that does).
            image = str(service.get("image", "${SEAMS_IMAGE}"))
            if image.startswith("${SEAMS_IMAGE") and "command" in service:
                roles.add(service["command"][0])
    for overlay in KUBERNETES.iterdir():
        for resource in build(overlay):
            spec = pod_spec(resource)
            if spec is not None:
                roles.update(c["args"][0] for c in spec["containers"])
    return roles


def test_the_deployments_name_every_role_and_only_roles():
    assert roles_named_in_deployments() == {"web", "gateway", "worker", "beat", "relay", "migrate"}


def test_an_unknown_role_is_refused():
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), "webb"], capture_output=True, text=True, timeout=10, check=False
    )
    assert result.returncode == 64
    assert "unknown role 'webb'" in result.stderr


def check_command(command: list[str]) -> None:
    program, *args = command
    if program == "gunicorn":
        # --check-config loads the WSGI application with the image's config.
        result = subprocess.run(
            [str(BIN / "gunicorn"), *args, "--check-config"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    elif program == "celery":
        # Click parses the whole line: an unknown option or subcommand raises.
        context = celery_cli.make_context("celery", list(args), resilient_parsing=False)
        context.obj = CLIContext(app=celery_app, no_color=True, workdir=None, quiet=True)
        with warnings.catch_warnings():  # Click 8.2 deprecates protected_args, 9 drops it
            warnings.simplefilter("ignore", DeprecationWarning)
            pending = [*context.protected_args, *context.args]
        name, command_object, rest = celery_cli.resolve_command(context, pending)
        command_object.make_context(name, rest, parent=context)
    elif program == "python":
        assert args[0] == "manage.py"
        name, *options = args[1:]
        assert name in get_commands(), name
        command_object = load_command_class(get_commands()[name], name)
        command_object.create_parser("manage.py", name).parse_args(options)
    else:
        pytest.fail(f"unexpected program {program!r}")


@pytest.mark.parametrize("role", ["web", "gateway", "worker", "beat", "relay", "migrate"])
def test_every_role_is_a_real_command(role):
    check_command(command_of(role))


def test_the_worker_role_runs_the_procfile_worker_and_its_settings_decide_the_pool():
    # given: the Procfile's worker, which the fault tests and make broker start
    procfile = (ROOT / "deploy" / "processes" / "Procfile").read_text()
    (worker,) = [line for line in procfile.splitlines() if line.startswith("worker:")]
    # then: the image runs the same command, with no option that would override
    # CELERY_WORKER_CONCURRENCY or CELERY_WORKER_PREFETCH_MULTIPLIER
    assert command_of("worker") == shlex.split(worker.removeprefix("worker:"))


def test_the_manage_role_runs_any_command():
    assert command_of("manage", "outbox", "status") == ["python", "manage.py", "outbox", "status"]
    check_command(command_of("manage", "outbox", "status", "--json"))


def probe_paths() -> set[str]:
    paths = set()
    for overlay in KUBERNETES.iterdir():
        for resource in build(overlay):
            spec = pod_spec(resource)
            for container in spec["containers"] if spec else []:
                for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                    if probe in container:
                        get = container[probe]["httpGet"]
                        paths.add((get["port"], get["path"]))
    return paths


def test_probes_point_at_real_routes():
    paths = probe_paths()
    assert paths == {("http", "/healthz"), ("http", "/readyz"), ("metrics", "/metrics")}
    for port, path in paths:
        if port == "http":
            # answered by the web process before any other middleware, and routed
            assert path in PROBES
            assert resolve(path).func is PROBES[path]
    # the metrics port is the process's own server (SEAMS_METRICS_PORT), any path
    healthcheck = (ROOT / "deploy" / "healthcheck.py").read_text()
    assert re.search(r"/healthz\"", healthcheck)


@pytest.mark.parametrize(
    "command",
    [
        ["gunicorn", "-c", "deploy/gunicorn.conf.py", "project.wsgi:nowhere"],
        ["celery", "-A", "project", "worker", "--no-such-option"],
        ["celery", "-A", "project", "wrker"],
        ["python", "manage.py", "outbox", "relai"],
        ["python", "manage.py", "no_such_command"],
    ],
)
def test_the_check_catches_a_command_that_would_not_start(command):
    with pytest.raises((AssertionError, SystemExit, click.UsageError, CommandError)):
        check_command(command)
