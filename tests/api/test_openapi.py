"""The OpenAPI schema generates cleanly and the committed copy matches the code."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "openapi.yaml"


def generate(tmp_path: Path) -> str:
    target = tmp_path / "openapi.yaml"
    # --fail-on-warn turns every drf-spectacular warning or error into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text()


def test_the_schema_generates_with_no_warnings(tmp_path):
    schema = generate(tmp_path)
    assert schema.startswith("openapi: 3.")
    assert "/api/v1/" in schema


def test_the_committed_schema_matches_the_api(tmp_path):
    generated = generate(tmp_path)
    assert COMMITTED.exists(), "schema/openapi.yaml is missing: run `make schema` and commit it"
    assert generated == COMMITTED.read_text(), (
        "the API changed but schema/openapi.yaml did not: run `make schema`, review the diff "
        "and commit it"
    )


def test_every_operation_documents_the_shared_error_shape(tmp_path):
    import yaml

    schema = yaml.safe_load(generate(tmp_path))
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "details"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert "4XX" in operation["responses"], f"{method.upper()} {path}"
