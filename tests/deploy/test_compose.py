"""deploy/compose: valid against the compose specification, and set up as the README says.

No Docker engine runs here: nothing is built or started. The files are validated
with check-jsonschema's vendored compose-spec schema.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose"
FILES = sorted(p.name for p in COMPOSE.glob("*.yml"))
APPS = ("users", "orders", "payments")
DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def load(name: str) -> dict:
    return yaml.safe_load((COMPOSE / name).read_text())


def test_the_monolith_and_one_file_per_app():
    assert ["monolith.yml", *(f"split-{app}.yml" for app in sorted(APPS))] == FILES


@pytest.mark.parametrize("name", FILES)
def test_validates_against_the_compose_specification(name):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE / name),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def seams_services(spec: dict) -> dict[str, dict]:
    return {
        name: service
        for name, service in spec["services"].items()
        if str(service.get("image", "${SEAMS_IMAGE}")).startswith("${SEAMS_IMAGE")
    }


def test_the_monolith_runs_every_role_with_its_backing_services():
    spec = load("monolith.yml")
    assert {"postgres", "rabbitmq", "redis"} <= set(spec["services"])
    roles = {name: s["command"][0] for name, s in seams_services(spec).items()}
    assert roles == {
        "migrate": "migrate",
        "web": "web",
        "worker": "worker",
        "beat": "beat",
        "relay": "relay",
    }
    for service in seams_services(spec).values():
        assert service["environment"]["SEAMS_SERVICES"] == "users,orders,payments"


@pytest.mark.parametrize("name", FILES)
def test_every_variable_is_documented(name):
    for service in seams_services(load(name)).values():
        for variable in service.get("environment", {}):
            assert re.search(rf"`{variable}`", DOCS), f"{variable} ({name}) is not documented"


@pytest.mark.parametrize("app", APPS)
def test_an_extracted_app_has_its_own_database_worker_and_relay(app):
    spec = load(f"split-{app}.yml")
    services = spec["services"]
    own = seams_services(spec)
    assert f"{app}-postgres" in services
    for role in ("migrate", "web", "worker", "beat", "relay"):
        environment = own[f"{app}-{role}"]["environment"]
        assert environment["SEAMS_SERVICES"] == app
        assert f"@{app}-postgres:5432/{app}" in environment["DATABASE_URL"]
    # the monolith's processes drop the app and reach it by its service name
    for role in ("web", "worker", "beat", "relay", "migrate"):
        environment = services[role]["environment"]
        assert environment["SEAMS_SERVICES"].split(",") == [a for a in APPS if a != app]
        assert environment["SEAMS_SERVICE_URLS"] == f"{app}=http://{app}-web:8000"
    assert services["web"]["command"] == ["gateway"]
