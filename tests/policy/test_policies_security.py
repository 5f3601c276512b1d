"""Hardening policies on raw resources: restricted pods and namespaces, no data port open to the internet."""

from __future__ import annotations

from typing import Any

import pytest

from policy.policies.hardening import (
    ENFORCE_LABEL,
    INGRESS_RULE,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    network_exposure_limited,
    pods_run_restricted,
)
from tests.policykit import UNKNOWN, Stack, judged, resource_args, violations

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CRON_JOB = "kubernetes:batch/v1:CronJob"
POD = "kubernetes:core/v1:Pod"
DEPLOYMENT_PATCH = "kubernetes:apps/v1:DeploymentPatch"
NAMESPACE = "kubernetes:core/v1:Namespace"


def hardened(**changes: Any) -> dict:
    context = {
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    context.update(changes)
    return {k: v for k, v in context.items() if v is not None}


def workload(kind: str, context: Any, init_context: Any = None, pod_context: Any = None, namespace: str = "shop"):
    spec: dict = {"containers": [{"name": "app", "image": "app@sha256:" + "a" * 64, "securityContext": context}]}
    if init_context is not None:
        spec["initContainers"] = [{"name": "init", "image": "init", "securityContext": init_context}]
    if pod_context is not None:
        spec["securityContext"] = pod_context
    template = {"template": {"spec": spec}}
    body = {"jobTemplate": {"spec": template}} if kind == CRON_JOB else (spec if kind == POD else template)
    return {"metadata": {"name": "app", "namespace": namespace}, "spec": body}


def namespace(level: Any = "restricted", name: str = "shop") -> dict:
    labels = {} if level is None else {ENFORCE_LABEL: level}
    return {"metadata": {"name": name, "labels": labels}}


def pods(*resources: tuple[str, dict]) -> tuple[list[str], str]:
    stack = Stack()
    for index, (kind, props) in enumerate(resources):
        stack.add(kind, f"r{index}", props)
    return judged(pods_run_restricted, stack.args())


# --- pods-run-restricted --------------------------------------------------------------------


@pytest.mark.parametrize("kind", [DEPLOYMENT, CRON_JOB, POD])
def test_a_hardened_pod_in_a_restricted_namespace_passes(kind):
    assert pods((NAMESPACE, namespace()), (kind, workload(kind, hardened(), init_context=hardened()))) == ([], "")


@pytest.mark.parametrize(
    "change, said",
    [
        ({"privileged": True}, "privileged: true"),
        ({"allowPrivilegeEscalation": None}, "allowPrivilegeEscalation not false"),
        ({"runAsNonRoot": False}, "runAsNonRoot not true"),
        ({"readOnlyRootFilesystem": None}, "readOnlyRootFilesystem not true"),
        ({"capabilities": {"drop": ["NET_RAW"]}}, "capabilities.drop without ALL"),
        ({"runAsUser": 0}, "runAsUser 0"),
    ],
)
def test_each_restricted_rule_fails_a_container(change, said):
    (message,) = pods((DEPLOYMENT, workload(DEPLOYMENT, hardened(**change))))[0]
    assert "Deployment 'app' container 'app'" in message and said in message


def test_the_init_container_is_judged_too():
    (message,) = pods((DEPLOYMENT, workload(DEPLOYMENT, hardened(), init_context=hardened(privileged=True))))[0]
    assert "container 'init'" in message and "privileged: true" in message


def test_run_as_non_root_may_come_from_the_pod():
    context = hardened(runAsNonRoot=None)
    assert pods((DEPLOYMENT, workload(DEPLOYMENT, context, pod_context={"runAsNonRoot": True}))) == ([], "")
    (message,) = pods((DEPLOYMENT, workload(DEPLOYMENT, context)))[0]
    assert "runAsNonRoot not true" in message


def test_a_container_without_a_security_context_fails_every_rule():
    (message,) = pods((DEPLOYMENT, workload(DEPLOYMENT, None)))[0]
    for said in ("allowPrivilegeEscalation", "runAsNonRoot", "readOnlyRootFilesystem", "capabilities.drop"):
        assert said in message


def test_a_patch_is_judged_only_on_what_it_sets():
    assert pods((DEPLOYMENT_PATCH, workload(DEPLOYMENT_PATCH, {}))) == ([], "")
    (message,) = pods((DEPLOYMENT_PATCH, workload(DEPLOYMENT_PATCH, {"privileged": True})))[0]
    assert "DeploymentPatch 'app'" in message and "privileged: true" in message


def test_unknown_values_are_not_judged():
    found, note = pods(
        (DEPLOYMENT, workload(DEPLOYMENT, hardened(privileged=UNKNOWN))), (NAMESPACE, namespace(UNKNOWN))
    )
    assert found == []
    assert "container 'app' privileged" in note and f"label {ENFORCE_LABEL}" in note


def test_a_malformed_value_is_a_finding_not_a_crash():
    found, _ = pods((DEPLOYMENT, workload(DEPLOYMENT, hardened(privileged="yes"))))
    assert any("privileged" in m and "cannot read" in m for m in found), found


def test_a_namespace_relaxed_to_privileged_fails():
    (message,) = pods((NAMESPACE, namespace("privileged")), (DEPLOYMENT, workload(DEPLOYMENT, hardened())))[0]
    assert "Namespace 'shop' enforces the 'privileged' Pod Security level" in message


def test_the_namespace_the_pods_run_in_must_carry_the_label():
    (message,) = pods((NAMESPACE, namespace(None)), (DEPLOYMENT, workload(DEPLOYMENT, hardened())))[0]
    assert f"Namespace 'shop' runs Deployment 'app' without the {ENFORCE_LABEL} label" in message
    assert pods((NAMESPACE, namespace(None, name="idle"))) == ([], "")  # no pods run there


# --- network-exposure-limited ---------------------------------------------------------------


def exposure(type_: str, props: dict, config: Any = None) -> tuple[list[str], str]:
    return judged(network_exposure_limited, resource_args(type_, props, name="sg", config=config))


def group(*rules: dict) -> dict:
    return {"description": "x", "ingress": list(rules)}


def tcp(low: int, high: int, **more: Any) -> dict:
    return {"protocol": "tcp", "fromPort": low, "toPort": high, **more}


def test_https_to_the_internet_and_a_database_port_to_a_group_pass():
    props = group(tcp(443, 443, cidrBlocks=["0.0.0.0/0"]), tcp(5432, 5432, securityGroups=["sg-1"]))
    assert exposure(SECURITY_GROUP, props) == ([], "")


@pytest.mark.parametrize(
    "rule, ports",
    [
        (tcp(5432, 5432, cidrBlocks=["0.0.0.0/0"]), "5432"),
        (tcp(6000, 7000, ipv6CidrBlocks=["::/0"]), "6379, 6380"),
        ({"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}, "22, 1433"),
    ],
)
def test_an_inline_ingress_opening_a_data_port_to_everyone_fails(rule, ports):
    (message,) = exposure(SECURITY_GROUP, group(rule))[0]
    assert f"ingress[0] opens data port(s) {ports}" in message


def test_a_security_group_rule_of_type_ingress_is_judged():
    rule = {"type": "ingress", "securityGroupId": "sg-1", **tcp(22, 22, cidrBlocks=["10.0.0.0/8", "0.0.0.0/0"])}
    (message,) = exposure(SECURITY_GROUP_RULE, rule)[0]
    assert "port(s) 22 to the whole internet" in message
    assert exposure(SECURITY_GROUP_RULE, {**rule, "type": "egress"}) == ([], "")


def test_a_vpc_ingress_rule_is_judged():
    rule = {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 3306, "toPort": 3306}
    (message,) = exposure(INGRESS_RULE, {**rule, "cidrIpv4": "0.0.0.0/0"})[0]
    assert "3306" in message
    assert exposure(INGRESS_RULE, {**rule, "cidrIpv4": "10.0.0.0/16"}) == ([], "")
    assert exposure(INGRESS_RULE, {**rule, "ipProtocol": "icmp", "cidrIpv4": "0.0.0.0/0"}) == ([], "")


def test_the_data_ports_are_a_setting():
    props = group(tcp(8080, 8080, cidrBlocks=["0.0.0.0/0"]))
    assert exposure(SECURITY_GROUP, props) == ([], "")
    (message,) = exposure(SECURITY_GROUP, props, config={"dataPorts": [8080]})[0]
    assert "8080" in message


def test_unknown_ports_are_not_judged_and_malformed_ones_are_findings():
    found, note = exposure(SECURITY_GROUP, group(tcp(UNKNOWN, 5432, cidrBlocks=["0.0.0.0/0"])))
    assert found == [] and "ingress[0] fromPort" in note
    found, _ = exposure(SECURITY_GROUP, group(tcp(5432, 5432, cidrBlocks=["everyone"])))
    assert any("cannot" in m for m in found), found
    found, _ = exposure(SECURITY_GROUP, group(tcp("five", 5432, cidrBlocks=["0.0.0.0/0"])))
    assert any("fromPort" in m and "cannot" in m for m in found), found


def test_violations_name_nothing_for_other_types():
    assert violations(network_exposure_limited, resource_args(NAMESPACE, namespace())) == []
