"""deploy/kubernetes: every overlay renders, validates for a current Kubernetes, and holds together.

Rendered by tests/deploy/kustomize.py (no kustomize on PyPI); where ``kubectl``
is installed, its own kustomize renders the same overlays and must agree.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.kustomize import build, pod_spec

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = sorted(p.name for p in (KUBERNETES / "overlays").iterdir() if p.is_dir())
APPS = ("users", "orders", "payments")
KUBERNETES_VERSION = "1.33.0"


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request):
    return request.param, build(KUBERNETES / "overlays" / request.param)


def by_kind(resources, kind):
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def test_there_is_the_monolith_and_one_overlay_per_app():
    assert ["monolith", *sorted(f"split-{app}" for app in APPS)] == OVERLAYS


def test_every_manifest_validates_against_kubernetes(rendered):
    _, resources = rendered
    for resource in resources:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_names_are_unique_and_every_reference_resolves(rendered):
    name, resources = rendered
    ids = [(r["kind"], r["metadata"]["name"]) for r in resources]
    assert len(ids) == len(set(ids))
    configmaps, deployments = by_kind(resources, "ConfigMap"), by_kind(resources, "Deployment")
    services = by_kind(resources, "Service")
    secrets = set()
    for resource in resources:
        spec = pod_spec(resource)
        if spec is None:
            continue
        for source in spec["containers"][0]["envFrom"]:
            if "configMapRef" in source:
                assert source["configMapRef"]["name"] in configmaps
            if "secretRef" in source:
                secrets.add(source["secretRef"]["name"])
    expected = {"seams-secrets"} | {f"seams-{a}-secrets" for a in APPS if name == f"split-{a}"}
    assert secrets == expected
    for hpa in by_kind(resources, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
    for ingress in by_kind(resources, "Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["backend"]["service"]["name"] in services


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def test_each_selector_picks_exactly_one_deployment(rendered):
    _, resources = rendered
    deployments = list(by_kind(resources, "Deployment").values())
    for deployment in deployments:
        template = deployment["spec"]["template"]["metadata"]["labels"]
        assert selects(deployment["spec"]["selector"]["matchLabels"], template)
    selectors = [s["spec"]["selector"] for s in by_kind(resources, "Service").values()] + [
        p["spec"]["selector"]["matchLabels"]
        for p in by_kind(resources, "PodDisruptionBudget").values()
    ]
    for selector in selectors:
        matched = [
            d for d in deployments if selects(selector, d["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(matched) == 1, selector


def test_every_pod_has_requests_limits_and_runs_as_non_root(rendered):
    _, resources = rendered
    for resource in resources:
        spec = pod_spec(resource)
        if spec is None:
            continue
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in spec["containers"]:
            assert set(container["resources"]) == {"requests", "limits"}
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_web_role_has_startup_liveness_and_readiness_probes(rendered):
    _, resources = rendered
    webs = [d for n, d in by_kind(resources, "Deployment").items() if n.endswith("-web")]
    assert webs
    for web in webs:
        container = web["spec"]["template"]["spec"]["containers"][0]
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"


@pytest.mark.parametrize("app", APPS)
def test_extracting_an_app_moves_it_out_of_the_monolith(app):
    # given
    resources = build(KUBERNETES / "overlays" / f"split-{app}")
    configmaps = by_kind(resources, "ConfigMap")
    services = by_kind(resources, "Service")
    deployments = by_kind(resources, "Deployment")
    # then: the monolith runs the others and knows where the app is
    monolith = configmaps["seams-config"]["data"]
    assert monolith["SEAMS_SERVICES"].split(",") == [a for a in APPS if a != app]
    name, _, url = monolith["SEAMS_SERVICE_URLS"].partition("=")
    assert name == app
    host, port = url.removeprefix("http://").split(":")
    assert host in services and services[host]["spec"]["ports"][0]["port"] == int(port)
    # and the app runs alone, every role of its own, calling the monolith back
    assert configmaps[f"{app}-config"]["data"]["SEAMS_SERVICES"] == app
    for role in ("web", "worker", "beat", "relay"):
        assert f"{app}-{role}" in deployments
    assert f"{app}-migrate" in by_kind(resources, "Job")
    assert deployments["seams-web"]["spec"]["template"]["spec"]["containers"][0]["args"] == [
        "gateway"
    ]


KUBECTL = shutil.which("kubectl")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl (with its kustomize) is not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubectls_kustomize_renders_the_same(overlay):
    result = subprocess.run(
        [KUBECTL, "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = {(r["kind"], r["metadata"]["name"]): r for r in yaml.safe_load_all(result.stdout)}
    ours = {(r["kind"], r["metadata"]["name"]): r for r in build(KUBERNETES / "overlays" / overlay)}
    assert ours == theirs


def test_every_configured_variable_is_documented(rendered):
    _, resources = rendered
    docs = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    for configmap in by_kind(resources, "ConfigMap").values():
        for variable in configmap["data"]:
            assert f"`{variable}`" in docs, f"{variable} is not documented"
