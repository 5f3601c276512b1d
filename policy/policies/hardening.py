"""Hardening policies: restricted pods, no data port facing the internet, the app's network denied by default.

They read any program's resources, not only this kit's: a pod template of any
workload kind, a Namespace, an EC2 security group or rule of any of its three
Pulumi types, a NetworkPolicy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import ResourceValidationArgs, Severity

from objectos_core.editions import OPEN_IMAGE_REPOSITORY
from policy.policies._base import OBJECTOS_STACK, Config, Report, resource_policy, stack_policy
from policy.policies._graph import Graph
from policy.policies._k8s import containers, pod_spec_path
from policy.policies._props import UNKNOWN, elements, get, is_mapping, number, text

NAMESPACE = "kubernetes:core/v1:Namespace"
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
RESTRICTED = "restricted"
CONTAINER_KEYS = ("initContainers", "containers", "ephemeralContainers")

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DATA_PORTS = [5432, 3306, 6379, 6380, 27017, 9200, 11211, 1433, 1521, 2049, 22, 3389]
ALL_PROTOCOLS = ("-1", "all")
PORTED_PROTOCOLS = ("tcp", "udp", "6", "17")


# --- pods-run-restricted --------------------------------------------------------------------


def _flag(value: Any, what: str, report: Report) -> Optional[bool]:
    """A boolean field: its value, None when unset or unknown (noted); anything else is malformed (raises)."""
    if value is None or not report.known(value, what):
        return None
    if not isinstance(value, bool):
        raise ValueError(f"{what} must be a boolean")
    return value


def _context(holder: Any, what: str) -> Any:
    context = get(holder, "securityContext")
    if context is not None and context is not UNKNOWN and not is_mapping(context):
        raise ValueError(f"{what} securityContext must be a mapping")
    return context


def _pods_restricted(graph: Graph, config: Config, report: Report) -> None:
    pod_namespaces: dict[str, list[str]] = {}
    for resource in graph.resources:
        path = pod_spec_path(resource.resource_type)
        if path is None:
            continue
        kind = resource.resource_type.rsplit(":", 1)[-1]
        where = f"{kind} '{text(get(resource.props, 'metadata', 'name')) or resource.name}'"
        namespace = text(get(resource.props, "metadata", "namespace"))
        if namespace:
            pod_namespaces.setdefault(namespace, []).append(where)
        spec = get(resource.props, *path)
        if not report.known(spec, f"{where} pod spec") or not is_mapping(spec):
            continue
        patch = kind.endswith("Patch")  # a patch changes only what it states: judge only the values it sets
        pod_context = _context(spec, f"{where} pod")
        pod_raw = get(pod_context, "runAsNonRoot")
        pod = (_flag(pod_raw, f"{where} pod runAsNonRoot", report), pod_raw, get(pod_context, "runAsUser"))
        for key in CONTAINER_KEYS:
            for container in elements(get(spec, key)):
                if not is_mapping(container):
                    continue
                name = text(get(container, "name")) or "?"
                _container(container, f"{where} container '{name}'", pod, patch, resource, report)
    _namespaces(graph, pod_namespaces, report)


def _container(
    container: Any, where: str, pod: tuple[Optional[bool], Any, Any], patch: bool, resource: Any, report: Report
) -> None:
    pod_non_root, pod_raw, pod_user = pod
    context = _context(container, where)
    if context is UNKNOWN:
        report.known(context, f"{where} securityContext")
        return
    raw = {
        f: get(context, f) for f in ("privileged", "allowPrivilegeEscalation", "runAsNonRoot", "readOnlyRootFilesystem")
    }
    flags = {f: _flag(value, f"{where} {f}", report) for f, value in raw.items()}
    if flags["runAsNonRoot"] is None and raw["runAsNonRoot"] is None:
        flags["runAsNonRoot"], raw["runAsNonRoot"] = pod_non_root, pod_raw
    wrong = []
    if flags["privileged"]:
        wrong.append("privileged: true")
    for field, want, said in (
        ("allowPrivilegeEscalation", False, "allowPrivilegeEscalation not false"),
        ("runAsNonRoot", True, "runAsNonRoot not true (on the container or the pod)"),
        ("readOnlyRootFilesystem", True, "readOnlyRootFilesystem not true"),
    ):
        if raw[field] is UNKNOWN or (raw[field] is None and patch):
            continue  # not known until deploy (noted), or left as it is by a patch
        if flags[field] is not want:
            wrong.append(said)
    user = get(context, "runAsUser")
    if number(pod_user if user is None else user) == 0:
        wrong.append("runAsUser 0 (root)")
    drop = get(context, "capabilities", "drop")
    if report.known(drop, f"{where} capabilities.drop") and not (patch and drop is None):
        dropped = list(elements(drop))
        if any(c is UNKNOWN for c in dropped):
            report.known(UNKNOWN, f"{where} capabilities.drop")
        elif "ALL" not in dropped:
            wrong.append("capabilities.drop without ALL")
    if wrong:
        report(
            f"{where} does not meet the restricted Pod Security Standard: {', '.join(wrong)}. Fix: securityContext "
            "privileged false, allowPrivilegeEscalation false, runAsNonRoot true, readOnlyRootFilesystem true, "
            "capabilities.drop [ALL]",
            resource.urn,
        )


def _namespaces(graph: Graph, pod_namespaces: dict[str, list[str]], report: Report) -> None:
    for resource in graph.resources:
        if resource.resource_type not in (NAMESPACE, NAMESPACE + "Patch"):
            continue
        name = text(get(resource.props, "metadata", "name")) or resource.name
        labels = get(resource.props, "metadata", "labels")
        if not report.known(labels, f"Namespace '{name}' labels"):
            continue
        if labels is not None and not is_mapping(labels):
            raise ValueError("metadata.labels must be a mapping")
        level = get(labels, ENFORCE_LABEL)
        if not report.known(level, f"Namespace '{name}' label {ENFORCE_LABEL}"):
            continue
        if level is None:
            runs = pod_namespaces.get(name) if resource.resource_type == NAMESPACE else None
            if runs:
                report(
                    f"Namespace '{name}' runs {', '.join(runs)} without the {ENFORCE_LABEL} label, so nothing "
                    f"enforces the Pod Security Standard. Fix: label it {ENFORCE_LABEL}: {RESTRICTED}",
                    resource.urn,
                )
        elif level != RESTRICTED:
            report(
                f"Namespace '{name}' enforces the {level!r} Pod Security level. Fix: {ENFORCE_LABEL}: {RESTRICTED}",
                resource.urn,
            )


pods_run_restricted = stack_policy(
    "pods-run-restricted",
    "Every pod must meet the restricted Pod Security Standard: no container privileged or able to escalate, "
    "all run as non-root on a read-only root filesystem with ALL capabilities dropped, and every Namespace "
    "that enforces a Pod Security level (or runs the stack's pods) enforces restricted.",
    Severity.HIGH,
    _pods_restricted,
    tags=["kubernetes", "security"],
)


# --- network-exposure-limited ---------------------------------------------------------------


def _port(value: Any, what: str) -> Any:
    """A port bound: a number, None when unset, UNKNOWN; anything else is malformed (raises)."""
    if value is None or value is UNKNOWN:
        return value
    found = number(value)
    if found is None:
        raise ValueError(f"{what} must be a port number")
    return int(found)


def _open_to_all(cidr: Any) -> bool:
    """0.0.0.0/0 or ::/0 (any spelling of a zero-length prefix); a malformed CIDR raises."""
    if not isinstance(cidr, str):
        if cidr is None or cidr is UNKNOWN:
            return False
        raise ValueError("a CIDR block must be a string")
    return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0


def _rules(args: ResourceValidationArgs) -> Iterator[tuple[str, Any, list[Any], str]]:
    """(where, rule, CIDR values, protocol key) of each ingress rule the resource states."""
    props = args.props
    if args.resource_type == SECURITY_GROUP:
        for index, rule in enumerate(elements(get(props, "ingress"))):
            if is_mapping(rule):
                cidrs = [*elements(get(rule, "cidrBlocks")), *elements(get(rule, "ipv6CidrBlocks"))]
                yield f"ingress[{index}]", rule, cidrs, "protocol"
    elif args.resource_type == SECURITY_GROUP_RULE:
        if get(props, "type") == "ingress":
            cidrs = [*elements(get(props, "cidrBlocks")), *elements(get(props, "ipv6CidrBlocks"))]
            yield "the rule", props, cidrs, "protocol"
    elif args.resource_type == INGRESS_RULE:
        yield "the rule", props, [get(props, "cidrIpv4"), get(props, "cidrIpv6")], "ipProtocol"


def _exposure(args: ResourceValidationArgs, config: Config, report: Report) -> None:
    ports = sorted({int(p) for p in config["dataPorts"]})
    for where, rule, cidrs, protocol_key in _rules(args):
        if not any(report.known(c, f"{where} CIDR") and _open_to_all(c) for c in cidrs):
            continue
        protocol = get(rule, protocol_key)
        if not report.known(protocol, f"{where} {protocol_key}"):
            continue
        protocol = str(int(number(protocol))) if number(protocol) is not None else text(protocol)
        protocol = protocol.strip().lower() if protocol is not None else None
        if protocol in ALL_PROTOCOLS:
            exposed = ports
        elif protocol in PORTED_PROTOCOLS:
            low, high = _port(get(rule, "fromPort"), "fromPort"), _port(get(rule, "toPort"), "toPort")
            if not report.known(low, f"{where} fromPort") or not report.known(high, f"{where} toPort"):
                continue
            if low is None and high is None:
                continue
            low, high = (low if low is not None else high), (high if high is not None else low)
            exposed = [p for p in ports if low <= p <= high]
        else:
            continue  # icmp and other protocols carry no ports
        if exposed:
            shown = ", ".join(str(p) for p in exposed)
            report(
                f"{where} opens data port(s) {shown} to the whole internet (0.0.0.0/0 or ::/0). Fix: allow only the "
                "security groups or CIDRs of the clients that need them"
            )


network_exposure_limited = resource_policy(
    "network-exposure-limited",
    "No security group may open a data or administration port (databases, caches, search, NFS, SSH, RDP) "
    "to 0.0.0.0/0 or ::/0, by its port range or an all-traffic rule.",
    Severity.CRITICAL,
    _exposure,
    types=[SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE],
    config={
        "dataPorts": {
            "type": "array",
            "items": {"type": "integer"},
            "default": DATA_PORTS,
            "description": "Ports no security group may open to the whole internet.",
        }
    },
    tags=["aws", "network", "security"],
)


# --- app-network-default-deny ---------------------------------------------------------------

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
DIRECTIONS = {"Ingress": "ingress", "Egress": "egress"}


def _objectos_namespaces(graph: Graph, report: Report) -> dict[str, str]:
    """Namespace -> the first ObjectOS workload running in it."""
    found: dict[str, str] = {}
    for resource in graph.resources:
        if pod_spec_path(resource.resource_type) is None:
            continue
        if not any(c.runs_objectos or str(c.image).startswith(OPEN_IMAGE_REPOSITORY) for c in
                   containers(resource.resource_type, resource.props)):  # fmt: skip
            continue
        namespace = get(resource.props, "metadata", "namespace")
        if not report.known(namespace, f"{resource.name} metadata.namespace"):
            continue
        found.setdefault(text(namespace) or "default", resource.name)
    return found


def _selects_all(spec: Any) -> bool:
    selector = get(spec, "podSelector")
    if selector is not None and not is_mapping(selector):
        raise ValueError("spec.podSelector must be an object")
    return not get(selector, "matchLabels") and not get(selector, "matchExpressions")


def _policy_types(spec: Any) -> set[str]:
    """The directions a policy governs; unset, Ingress plus Egress when it has egress rules (as Kubernetes reads it)."""
    declared = get(spec, "policyTypes")
    if declared is None:
        return {"Ingress", "Egress"} if get(spec, "egress") is not None else {"Ingress"}
    if isinstance(declared, str) or not all(isinstance(t, str) for t in elements(declared)):
        raise ValueError("spec.policyTypes must be a list of Ingress/Egress")
    return set(elements(declared))


def _default_deny(graph: Graph, config: Config, report: Report) -> None:
    policies: dict[str, list[Any]] = {}
    for policy in graph.of_type(NETWORK_POLICY):
        namespace = get(policy.props, "metadata", "namespace")
        if report.known(namespace, f"{policy.name} metadata.namespace"):
            policies.setdefault(text(namespace) or "default", []).append(policy)
    for namespace, workload in _objectos_namespaces(graph, report).items():
        denied: set[str] = set()
        allowed: set[str] = set()
        for policy in policies.get(namespace, []):
            spec = get(policy.props, "spec")
            if not report.known(spec, f"{policy.name} spec"):
                denied |= {"Ingress", "Egress"}  # judged once known; not a missing policy
                allowed |= {"Ingress", "Egress"}
                continue
            if not is_mapping(spec):
                raise ValueError("spec must be an object")
            for direction in _policy_types(spec):
                if direction not in DIRECTIONS:
                    raise ValueError(f"spec.policyTypes holds {direction!r}; use Ingress or Egress")
                rules = get(spec, DIRECTIONS[direction])
                if not report.known(rules, f"{policy.name} spec.{DIRECTIONS[direction]}"):
                    allowed.add(direction)
                    continue
                listed = list(elements(rules))
                if not listed and _selects_all(spec):
                    denied.add(direction)
                elif listed:
                    allowed.add(direction)
                if any(is_mapping(rule) and not any(get(rule, k) for k in ("from", "to", "ports")) for rule in listed):
                    report(
                        f"NetworkPolicy '{policy.name}' allows all {direction.lower()} traffic (an empty rule), "
                        f"undoing the default deny of namespace '{namespace}'. Fix: name the peers and ports",
                        policy.urn,
                    )
        for direction in sorted(set(DIRECTIONS) - denied):
            report.missing(
                f"namespace '{namespace}' (where {workload} runs) has no default-deny NetworkPolicy for "
                f"{direction.lower()} (podSelector {{}}, policyTypes [{direction}], no rules); the workload "
                "component's network policy declares it"
            )
        for direction in sorted((set(DIRECTIONS) & denied) - allowed):
            report.missing(
                f"namespace '{namespace}' denies all {direction.lower()} but allows none explicitly, so {workload} "
                "cannot serve or reach its database; add NetworkPolicies allowing what it needs"
            )


app_network_default_deny = stack_policy(
    "app-network-default-deny",
    "The namespace an ObjectOS workload runs in must deny all ingress and egress by default (a NetworkPolicy "
    "selecting every pod with no rules) and allow explicitly what the app needs: ingress from the edge on the app "
    "port, egress to DNS, the database, Redis and HTTPS; no NetworkPolicy there may allow all traffic.",
    Severity.HIGH,
    _default_deny,
    kind=OBJECTOS_STACK,
    tags=["kubernetes", "network", "security"],
)

POLICIES = [pods_run_restricted, network_exposure_limited, app_network_default_deny]
