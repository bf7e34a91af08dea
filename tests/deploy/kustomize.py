"""A minimal kustomize for the tests: the few features deploy/kubernetes uses, no more.

Supported, with kustomize's semantics and order within one kustomization:
``resources`` (files and directories), ``patches`` (JSON 6902, inline, targeted
by kind and an anchored name regex, applied before the name prefix), then
``namePrefix`` (with the name references kustomize updates: ConfigMaps and
Secrets named in pod specs, the HPA's target, the Ingress's backend Service),
then ``labels`` (``includeSelectors`` adds them to selectors and pod templates
as ``commonLabels`` does). Any other field fails the build, so a manifest that
needs more is noticed rather than rendered wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "patches", "namePrefix", "labels"}
WORKLOADS = {"Deployment", "Job", "StatefulSet", "DaemonSet"}

Resource = dict[str, Any]


def build(directory: Path) -> list[Resource]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unsupported = set(spec) - SUPPORTED
    assert not unsupported, f"{directory}: the test renderer does not support {unsupported}"
    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            resources += build(path)
        else:
            resources += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for patch in spec.get("patches", []):
        _patch(resources, patch, directory)
    if spec.get("namePrefix"):
        _prefix(resources, spec["namePrefix"])
    for labels in spec.get("labels", []):
        _label(resources, labels["pairs"], include_selectors=labels.get("includeSelectors", False))
    return resources


def _selected(resource: Resource, target: dict[str, str]) -> bool:
    if "kind" in target and resource["kind"] != target["kind"]:
        return False
    return "name" not in target or re.fullmatch(target["name"], resource["metadata"]["name"])


def _patch(resources: list[Resource], patch: dict[str, Any], directory: Path) -> None:
    assert set(patch) <= {"target", "patch", "path"}, patch
    operations = yaml.safe_load(
        patch["patch"] if "patch" in patch else (directory / patch["path"]).read_text()
    )
    assert isinstance(operations, list), "only JSON 6902 patches are supported"
    matched = [r for r in resources if _selected(r, patch["target"])]
    assert matched, f"patch target {patch['target']} matches nothing in {directory}"
    for resource in matched:
        jsonpatch.apply_patch(resource, operations, in_place=True)


def pod_spec(resource: Resource) -> dict[str, Any] | None:
    if resource["kind"] in WORKLOADS:
        return resource["spec"]["template"]["spec"]
    return None


def _prefix(resources: list[Resource], prefix: str) -> None:
    renamed = {}
    for resource in resources:
        old = resource["metadata"]["name"]
        resource["metadata"]["name"] = prefix + old
        renamed[(resource["kind"], old)] = prefix + old

    def ref(kind: str, name: str) -> str:
        return renamed.get((kind, name), name)

    for resource in resources:
        spec = pod_spec(resource)
        if spec is not None:
            for container in spec.get("containers", []) + spec.get("initContainers", []):
                for source in container.get("envFrom", []):
                    if "configMapRef" in source:
                        source["configMapRef"]["name"] = ref(
                            "ConfigMap", source["configMapRef"]["name"]
                        )
                    if "secretRef" in source:
                        source["secretRef"]["name"] = ref("Secret", source["secretRef"]["name"])
            for volume in spec.get("volumes", []):
                if "configMap" in volume:
                    volume["configMap"]["name"] = ref("ConfigMap", volume["configMap"]["name"])
                if "secret" in volume:
                    volume["secret"]["secretName"] = ref("Secret", volume["secret"]["secretName"])
        if resource["kind"] == "HorizontalPodAutoscaler":
            target = resource["spec"]["scaleTargetRef"]
            target["name"] = ref(target["kind"], target["name"])
        if resource["kind"] == "Ingress":
            for rule in resource["spec"].get("rules", []):
                for path in rule.get("http", {}).get("paths", []):
                    service = path["backend"]["service"]
                    service["name"] = ref("Service", service["name"])
            for tls in resource["spec"].get("tls", []):
                tls["secretName"] = ref("Secret", tls["secretName"])


def _label(resources: list[Resource], pairs: dict[str, str], *, include_selectors: bool) -> None:
    for resource in resources:
        resource["metadata"].setdefault("labels", {}).update(pairs)
        if not include_selectors:
            continue
        kind, spec = resource["kind"], resource.get("spec", {})
        if kind == "Service":
            spec.setdefault("selector", {}).update(pairs)
        elif kind == "PodDisruptionBudget":
            spec["selector"].setdefault("matchLabels", {}).update(pairs)
        elif kind in WORKLOADS:
            if kind != "Job":  # a Job's selector is generated by the API server
                spec["selector"].setdefault("matchLabels", {}).update(pairs)
            spec["template"].setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
