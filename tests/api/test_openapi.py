"""The OpenAPI schema generates cleanly and the committed copy matches the code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from project.api_errors import error_body

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "openapi.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    # --fail-on-warn turns every drf-spectacular warning or error into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text()


def test_the_schema_generates_with_no_warnings(generated):
    assert generated.startswith("openapi: 3.")
    assert "/api/v1/" in generated


def test_the_committed_schema_matches_the_api(generated):
    assert COMMITTED.exists(), "schema/openapi.yaml is missing: run `make schema` and commit it"
    assert generated == COMMITTED.read_text(), (
        "the API changed but schema/openapi.yaml did not: run `make schema`, review the diff "
        "and commit it"
    )


def test_every_error_response_has_the_shape_the_api_sends(generated):
    schema = yaml.safe_load(generated)
    # The documented component is the body the exception handler builds.
    component = schema["components"]["schemas"]["Error"]
    assert set(component["required"]) == set(error_body("c", "m")) == set(component["properties"])
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "4XX" in responses, f"{method.upper()} {path}"
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    body = response["content"]["application/json"]["schema"]
                    assert body == {"$ref": "#/components/schemas/Error"}, (
                        f"{method.upper()} {path} {status}"
                    )
