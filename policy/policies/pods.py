"""Deployability policies: every pod can start, and in a topology its runtime edition boots.

A pod that names a Secret, ConfigMap or service account nothing produces never
starts (CreateContainerConfigError, or no pod at all), and `pulumi up` fails
waiting for its Job or Deployment. ObjectOS pods in a topology their edition
refuses fail the same way, or worse, boot split-brained. Both read any
program's graph, not only this kit's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from pulumi_policy import Severity

from objectos_core import editions
from policy.policies._base import Config, Report, stack_policy
from policy.policies._graph import Graph
from policy.policies._k8s import CONFIG_MAP, SECRET, containers, pod_spec_path
from policy.policies._props import elements, get, is_mapping, number, text, truthy

SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
DEFAULT_ACCOUNT = "default"
SCALED = ("apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:ReplicaSet")


def _kind(resource_type: str) -> str:
    return resource_type.split(":", 1)[1] if resource_type.startswith("kubernetes:") else ""


def _short(resource: Any) -> str:
    kind = _kind(resource.resource_type).rsplit(":", 1)[-1] or resource.resource_type
    return f"{kind} '{text(get(resource.props, 'metadata', 'name')) or resource.name}'"


def _namespace(props: Any) -> Optional[str]:
    """The namespace when known; None (matches any) when unset or unknown."""
    return text(get(props, "metadata", "namespace"))


# --- pods-can-start -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    kind: str  # Secret | ConfigMap
    name: Any  # str, or UNKNOWN
    where: str  # e.g. "env OS_AUTH_SECRET"


def _is_external_secret(resource_type: str) -> bool:
    kind = _kind(resource_type)
    return kind.startswith("external-secrets.io/") and kind.endswith((":ExternalSecret", ":ClusterExternalSecret"))


def _produced(graph: Graph) -> dict[str, list[tuple[Any, Optional[str], Any]]]:
    """Kind -> (name or UNKNOWN/None, namespace, resource) for what the stack makes."""
    found: dict[str, list[tuple[Any, Optional[str], Any]]] = {"Secret": [], "ConfigMap": [], "ServiceAccount": []}
    for resource in graph.resources:
        kind, props = resource.resource_type, resource.props
        if kind in (SECRET, CONFIG_MAP, SERVICE_ACCOUNT):
            label = {SECRET: "Secret", CONFIG_MAP: "ConfigMap", SERVICE_ACCOUNT: "ServiceAccount"}[kind]
            found[label].append((get(props, "metadata", "name"), _namespace(props), resource))
        elif _is_external_secret(kind):
            cluster_wide = kind.endswith(":ClusterExternalSecret")
            spec = get(props, "spec", "externalSecretSpec") if cluster_wide else get(props, "spec")
            # ESO names the Secret after the ExternalSecret unless target.name says otherwise.
            name = get(spec, "target", "name") or get(props, "metadata", "name")
            found["Secret"].append((name, None if cluster_wide else _namespace(props), resource))
        elif _kind(kind).startswith("bitnami.com/") and kind.endswith(":SealedSecret"):
            name = get(props, "spec", "template", "metadata", "name") or get(props, "metadata", "name")
            found["Secret"].append((name, _namespace(props), resource))
    return found


def _references(spec: Any) -> Iterator[Reference]:
    """Every Secret and ConfigMap a pod spec requires (optional references left out)."""
    for key in ("initContainers", "containers"):
        for container in elements(get(spec, key)):
            label = text(get(container, "name")) or "?"
            for entry in elements(get(container, "env")):
                var = text(get(entry, "name")) or "?"
                for source, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                    ref = get(entry, "valueFrom", source)
                    if is_mapping(ref) and not truthy(get(ref, "optional")):
                        yield Reference(kind, get(ref, "name"), f"container '{label}' env {var}")
            for entry in elements(get(container, "envFrom")):
                for source, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                    ref = get(entry, source)
                    if is_mapping(ref) and not truthy(get(ref, "optional")):
                        yield Reference(kind, get(ref, "name"), f"container '{label}' envFrom")
    for volume in elements(get(spec, "volumes")):
        where = f"volume '{text(get(volume, 'name')) or '?'}'"
        secret = get(volume, "secret")
        if is_mapping(secret) and not truthy(get(secret, "optional")):
            yield Reference("Secret", get(secret, "secretName"), where)
        config_map = get(volume, "configMap")
        if is_mapping(config_map) and not truthy(get(config_map, "optional")):
            yield Reference("ConfigMap", get(config_map, "name"), where)
        for source in elements(get(volume, "projected", "sources")):
            for key, kind in (("secret", "Secret"), ("configMap", "ConfigMap")):
                ref = get(source, key)
                if is_mapping(ref) and not truthy(get(ref, "optional")):
                    yield Reference(kind, get(ref, "name"), where)


def _by_name(produced: list) -> dict[str, list[Optional[str]]]:
    """Name -> the namespaces it is made in, for the names known at preview."""
    index: dict[str, list[Optional[str]]] = {}
    for made, made_ns, _ in produced:
        if isinstance(made, str):
            index.setdefault(made, []).append(made_ns)
    return index


def _matches(index: dict[str, list[Optional[str]]], name: str, namespace: Optional[str]) -> bool:
    return any(made_ns is None or namespace is None or made_ns == namespace for made_ns in index.get(name, ()))


def _pods_can_start(graph: Graph, config: Config, report: Report) -> None:
    produced = _produced(graph)
    named = {kind: _by_name(made) for kind, made in produced.items()}
    unnamed = {made.urn for kind in produced.values() for name, _, made in kind if not isinstance(name, str)}
    outside = {
        "Secret": set(config["externalSecrets"]),
        "ConfigMap": set(config["externalConfigMaps"]),
        "ServiceAccount": {DEFAULT_ACCOUNT, *config["externalServiceAccounts"]},
    }
    for resource in graph.resources:
        path = pod_spec_path(resource.resource_type)
        if path is None:
            continue
        spec = get(resource.props, *path)
        if not is_mapping(spec):
            continue
        namespace = _namespace(resource.props)
        # A producer whose name is not known yet, and that the workload waits for, may be the one it names.
        waits_for_unnamed = bool(unnamed) and any(d.urn in unnamed for d in graph.direct(resource))
        missing: dict[tuple[str, str], list[str]] = {}
        for ref in _references(spec):
            if not isinstance(ref.name, str) or ref.name in outside[ref.kind]:
                continue  # unknown during preview: judged when known
            if not _matches(named[ref.kind], ref.name, namespace) and not waits_for_unnamed:
                missing.setdefault((ref.kind, ref.name), []).append(ref.where)
        for (kind, name), where in missing.items():
            fix = (
                f"produce it (an ExternalSecret with spec.target.name '{name}', or a Secret)"
                if kind == "Secret"
                else f"create ConfigMap '{name}' in the stack"
            )
            report(
                f"{_short(resource)} requires {kind} '{name}' ({'; '.join(where[:4])}), which nothing in the stack "
                f"produces: its pods stay in CreateContainerConfigError and `pulumi up` fails waiting for them. "
                f"Fix: {fix}, mark the reference optional if the pod starts without it, or list it in "
                f"{'externalSecrets' if kind == 'Secret' else 'externalConfigMaps'} if it is made outside the stack",
                resource.urn,
            )
        account = text(get(spec, "serviceAccountName")) or text(get(spec, "serviceAccount"))
        if (
            account
            and account not in outside["ServiceAccount"]
            and not _matches(named["ServiceAccount"], account, namespace)
        ):
            report(
                f"{_short(resource)} runs as service account '{account}', which nothing in the stack creates: "
                "Kubernetes refuses to create its pods. Fix: create the ServiceAccount in the stack, or list it in "
                "externalServiceAccounts if it is made outside the stack",
                resource.urn,
            )


_NAMES = {"type": "array", "items": {"type": "string"}, "default": []}

pods_can_start = stack_policy(
    "pods-can-start",
    "Every pod must be able to start: each Secret or ConfigMap a pod requires (non-optional secretKeyRef, "
    "envFrom or volume) and its service account must be produced in the stack, or `pulumi up` waits for pods "
    "that never start and fails.",
    Severity.HIGH,
    _pods_can_start,
    config={
        "externalSecrets": {**_NAMES, "description": "Secrets made outside the stack that pods may require."},
        "externalConfigMaps": {**_NAMES, "description": "ConfigMaps made outside the stack that pods may require."},
        "externalServiceAccounts": {
            **_NAMES,
            "description": "Service accounts made outside the stack that pods may run as.",
        },
    },
    tags=["kubernetes", "deployability"],
)


# --- runtime-edition-topology ---------------------------------------------------------------


def _edition(resource: Any, images: list[Any]) -> Optional[str]:
    """The edition the workload states (label on it or its pods), else inferred from its image."""
    for path in (("metadata", "labels"), (*(pod_spec_path(resource.resource_type) or ())[:-1], "metadata", "labels")):
        stated = text(get(resource.props, *path, editions.EDITION_LABEL))
        if stated:
            return stated
    for image in images:
        if isinstance(image, str) and editions.inferred_edition(image) == editions.OPEN:
            return editions.OPEN
    return None


def _autoscaler_index(graph: Graph) -> dict[tuple[str, str], list[Any]]:
    """(target kind, target name) -> the HorizontalPodAutoscalers scaling it, read once per stack."""
    index: dict[tuple[str, str], list[Any]] = {}
    for hpa in graph.resources:
        if hpa.resource_type.startswith("kubernetes:autoscaling/") and hpa.resource_type.endswith(
            ":HorizontalPodAutoscaler"
        ):
            target = get(hpa.props, "spec", "scaleTargetRef")
            key = (text(get(target, "kind")), text(get(target, "name")))
            index.setdefault(key, []).append(hpa)
    return index


def _autoscalers(index: dict[tuple[str, str], list[Any]], resource: Any) -> list[Any]:
    name = text(get(resource.props, "metadata", "name"))
    kind = _kind(resource.resource_type).rsplit(":", 1)[-1]
    if not name:
        return []
    namespace = _namespace(resource.props)
    return [
        hpa for hpa in index.get((kind, name), ()) if namespace is None or _namespace(hpa.props) in (None, namespace)
    ]


def _surge(props: Any, pods: int, where: str, report: Report) -> int:
    """Extra pods a RollingUpdate starts beside the old ones (Kubernetes' default maxSurge is 25%)."""
    strategy = get(props, "spec", "strategy")
    kind = get(strategy, "type")
    if not report.known(kind, f"{where} strategy.type") or text(kind) == "Recreate":
        return 0
    surge = get(strategy, "rollingUpdate", "maxSurge")
    if not report.known(surge, f"{where} strategy.rollingUpdate.maxSurge"):
        return 0
    if surge is None:
        surge = "25%"
    if isinstance(surge, str) and surge.endswith("%"):
        percent = number(surge[:-1])
        return math.ceil(pods * percent / 100) if percent is not None else 0
    value = number(surge)
    return int(value) if value is not None else 0


def _topology(graph: Graph, config: Config, report: Report) -> None:
    autoscalers = _autoscaler_index(graph)
    for resource in graph.resources:
        kind = _kind(resource.resource_type)
        path = pod_spec_path(resource.resource_type)
        if path is None:
            continue
        runtime = [c for c in containers(resource.resource_type, resource.props) if c.runs_objectos]
        if not runtime:
            continue
        edition = _edition(resource, [c.image for c in runtime])
        where = _short(resource)
        declared = get(resource.props, "spec", "replicas")
        report.known(declared, f"{where} replicas")
        replicas = number(declared)
        floor = int(replicas) if replicas is not None else 1
        most, scaled_by = floor, ""
        for hpa in _autoscalers(autoscalers, resource):
            bounds = {key: get(hpa.props, "spec", key) for key in ("maxReplicas", "minReplicas")}
            for key, value in bounds.items():
                report.known(value, f"autoscaler '{hpa.name}' {key}")
            ceiling, minimum = number(bounds["maxReplicas"]), number(bounds["minReplicas"])
            if minimum is not None:
                floor = int(minimum)
            if ceiling is not None and ceiling > most:
                most, scaled_by = int(ceiling), f" (autoscaler ceiling {int(ceiling)})"
        multi = kind in SCALED and most > 1
        if kind == "apps/v1:DaemonSet":
            multi, scaled_by = True, " (a DaemonSet runs one per node)"
        for container in runtime:
            _container_topology(container, where, edition, multi, most, floor, scaled_by, kind, resource, report)
        if (
            edition == editions.OPEN
            and kind in SCALED
            and not multi
            and _surge(resource.props, floor, where, report) > 0
        ):
            report(
                f"{where} runs the open edition with a RollingUpdate that starts a second pod beside the old one: "
                "two single-node runtimes on one database for the rollout. Fix: strategy type Recreate",
                resource.urn,
            )


def _container_topology(
    container: Any, where: str, edition: Optional[str], multi: bool, most: int, floor: int, scaled_by: str,
    kind: str, resource: Any, report: Report,
) -> None:  # fmt: skip
    where = f"{where} container '{container.name}'"
    urn = resource.urn
    if truthy(container.literal(editions.ALLOW_MEMORY_MULTINODE)):
        report(
            f"{where} sets {editions.ALLOW_MEMORY_MULTINODE}: replicas then run on per-process locks (split brain). "
            "Fix: remove it; run one pod, or the licensed edition with OS_CLUSTER_DRIVER=redis",
            urn,
        )
    driver = container.literal(editions.CLUSTER_DRIVER)
    driver = driver.strip().lower() if isinstance(driver, str) else None
    remote = driver not in (None, "", "memory")
    if remote and editions.REDIS_URL not in container.env and driver == editions.REMOTE_DRIVER:
        report(f"{where} sets {editions.CLUSTER_DRIVER}=redis without {editions.REDIS_URL}. Fix: deliver "
               f"{editions.REDIS_URL} by secretKeyRef", urn)  # fmt: skip
    if remote and editions.SECRET_KEY not in container.env:
        report(f"{where} uses the {driver} cluster driver without {editions.SECRET_KEY}, which any driver but memory "
               f"makes mandatory. Fix: deliver {editions.SECRET_KEY} by secretKeyRef", urn)  # fmt: skip
    declared = number(container.literal(editions.CLUSTER_REPLICAS))
    expects = truthy(container.literal(editions.EXPECT_MULTI_NODE)) or (declared is not None and declared > 1)
    posture = container.literal(editions.TENANCY_POSTURE)
    multi_org = (isinstance(posture, str) and posture.strip().lower() in editions.MULTI_ORG_POSTURES) or truthy(
        container.literal(editions.MULTI_ORG)
    )
    if edition == editions.OPEN:
        if multi:
            report(
                f"{where} runs the open edition on up to {most} pods{scaled_by}: multi-node is licensed, so the "
                f"runtime refuses the multi-node boot or runs each pod as if alone. Fix: {editions.FIX_MULTI_NODE}",
                urn,
            )
        if expects or remote:
            names = [n for n, on in ((editions.CLUSTER_REPLICAS, declared is not None and declared > 1),
                                     (editions.EXPECT_MULTI_NODE, truthy(container.literal(editions.EXPECT_MULTI_NODE))),
                                     (editions.CLUSTER_DRIVER, remote)) if on]  # fmt: skip
            report(
                f"{where} runs the open edition with {', '.join(names)}: it has no multi-node authorization gate, "
                "falls back to the in-process driver and refuses the boot. Fix: remove them and run one pod",
                urn,
            )
        if multi_org:
            report(
                f"{where} asks the open edition for a multi-organization tenancy posture ({posture or 'multi-org'}): "
                f"boot is FATAL without @objectstack/organizations. Fix: OS_TENANCY_POSTURE single (or unset), or "
                "run a licensed image",
                urn,
            )
        return
    if multi and not remote:
        report(
            f"{where} runs up to {most} pods{scaled_by} without a remote cluster driver: each pod coordinates "
            f"alone (or, with {editions.CLUSTER_REPLICAS}, refuses to boot). Fix: {editions.CLUSTER_DRIVER}=redis "
            f"with {editions.REDIS_URL}, or one pod",
            urn,
        )
    if remote and declared is not None and kind in SCALED and int(declared) != floor:
        report(
            f"{where} declares {editions.CLUSTER_REPLICAS}={int(declared)} but the workload runs {floor} replicas. "
            f"Fix: set {editions.CLUSTER_REPLICAS} to the replica count",
            urn,
        )


runtime_edition_topology = stack_policy(
    "runtime-edition-topology",
    "ObjectOS pods must take a topology their runtime edition boots: one pod on the open edition (multi-node "
    "and multi-org are licensed), a Redis cluster driver with OS_REDIS_URL and OS_SECRET_KEY for several pods, "
    "never OS_ALLOW_MEMORY_CLUSTER_MULTINODE.",
    Severity.HIGH,
    _topology,
    tags=["kubernetes", "deployability", "objectos"],
)

POLICIES = [pods_can_start, runtime_edition_topology]
