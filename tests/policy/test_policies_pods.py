"""Deployability policies on raw graphs: every pod can start, in a topology its edition boots."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from policy.policies.pods import pods_can_start, runtime_edition_topology
from tests.policykit import UNKNOWN, Stack, violations

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
CRON_JOB = "kubernetes:batch/v1:CronJob"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
POD = "kubernetes:core/v1:Pod"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
ACCOUNT = "kubernetes:core/v1:ServiceAccount"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
OPEN_IMAGE = "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64
LICENSED_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:" + "b" * 64


def secret_ref(secret: Any, var: str = "OS_AUTH_SECRET", optional: Optional[bool] = None) -> dict:
    ref = {"name": secret, "key": var, **({"optional": optional} if optional is not None else {})}
    return {"name": var, "valueFrom": {"secretKeyRef": ref}}


def pod(containers: list[dict], **spec: Any) -> dict:
    return {"containers": containers, **spec}


def container(env: list[dict] = (), image: str = OPEN_IMAGE, **more: Any) -> dict:
    return {"name": "app", "image": image, "env": list(env), **more}


def workload(kind: str, spec: dict, namespace: str = "shop", name: str = "app", **top: Any) -> dict:
    template = {"template": {"spec": spec}}
    body = {"jobTemplate": {"spec": template}} if kind == CRON_JOB else (spec if kind == POD else template)
    return {"metadata": {"name": name, "namespace": namespace}, "spec": {**body, **top}}


def found(policy, stack: Stack, config: Optional[dict] = None) -> list[str]:
    defaults = {"externalSecrets": [], "externalConfigMaps": [], "externalServiceAccounts": []}
    return violations(policy, stack.args({**defaults, **(config or {})}) if policy is pods_can_start else stack.args())


# --- pods-can-start -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [DEPLOYMENT, JOB, CRON_JOB, STATEFUL_SET, DAEMON_SET, POD])
def test_a_required_secret_nothing_produces_blocks_every_workload_kind(kind):
    stack = Stack()
    stack.add(kind, "app", workload(kind, pod([container([secret_ref("app-env")])])))
    (message,) = found(pods_can_start, stack)
    assert "requires Secret 'app-env'" in message and "CreateContainerConfigError" in message
    assert "ExternalSecret with spec.target.name 'app-env'" in message


def test_an_external_secret_target_produces_the_secret():
    stack = Stack()
    stack.add(EXTERNAL_SECRET, "delivery", {"metadata": {"name": "sync", "namespace": "shop"},
                                            "spec": {"target": {"name": "app-env"}}})  # fmt: skip
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container([secret_ref("app-env")])])))
    assert found(pods_can_start, stack) == []


def test_an_external_secret_without_a_target_name_produces_its_own_name():
    stack = Stack()
    stack.add(EXTERNAL_SECRET, "delivery", {"metadata": {"name": "app-env", "namespace": "shop"}, "spec": {}})
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container([secret_ref("app-env")])])))
    assert found(pods_can_start, stack) == []


def test_a_secret_in_another_namespace_does_not_count():
    stack = Stack()
    stack.add(SECRET, "env", {"metadata": {"name": "app-env", "namespace": "other"}})
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container([secret_ref("app-env")])])))
    assert len(found(pods_can_start, stack)) == 1


def test_an_optional_reference_never_blocks_a_pod():
    stack = Stack()
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container([secret_ref("later", optional=True)])])))
    assert found(pods_can_start, stack) == []


def test_env_from_and_volumes_are_references_too():
    spec = pod(
        [container(envFrom=[{"secretRef": {"name": "bulk"}}, {"configMapRef": {"name": "settings"}}])],
        volumes=[{"name": "tls", "secret": {"secretName": "certs"}},
                 {"name": "mix", "projected": {"sources": [{"secret": {"name": "extra"}}]}}],
    )  # fmt: skip
    stack = Stack()
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, spec))
    messages = " ".join(found(pods_can_start, stack))
    for name in ("Secret 'bulk'", "ConfigMap 'settings'", "Secret 'certs'", "Secret 'extra'"):
        assert name in messages


def test_a_secret_made_outside_the_stack_can_be_listed():
    stack = Stack()
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container([secret_ref("platform-env")])])))
    assert found(pods_can_start, stack, {"externalSecrets": ["platform-env"]}) == []


def test_a_name_unknown_during_preview_is_judged_later():
    stack = Stack()
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container([secret_ref(UNKNOWN)])])))
    assert found(pods_can_start, stack) == []


def test_a_service_account_nothing_creates_blocks_the_pods():
    stack = Stack()
    stack.add(DEPLOYMENT, "app", workload(DEPLOYMENT, pod([container()], serviceAccountName="runtime")))
    (message,) = found(pods_can_start, stack)
    assert "service account 'runtime'" in message
    stack.add(ACCOUNT, "sa", {"metadata": {"name": "runtime", "namespace": "shop"}})
    assert found(pods_can_start, stack) == []


# --- runtime-edition-topology -------------------------------------------------------------


def objectos(edition: Optional[str] = None, image: str = OPEN_IMAGE, replicas: Optional[int] = 1,
             strategy: Optional[dict] = None, **env: str) -> dict:  # fmt: skip
    variables = [{"name": "OS_PORT", "value": "8080"}] + [{"name": k, "value": v} for k, v in env.items()]
    body = workload(DEPLOYMENT, pod([container(variables, image=image)]))
    if replicas is not None:
        body["spec"]["replicas"] = replicas
    body["spec"]["strategy"] = strategy or {"type": "Recreate"}
    if edition:
        body["spec"]["template"]["metadata"] = {"labels": {"objectos.dev/edition": edition}}
    return body


def topology(body: dict, *extra: tuple[str, str, dict]) -> list[str]:
    stack = Stack()
    stack.add(DEPLOYMENT, "objectos", body)
    for kind, name, props in extra:
        stack.add(kind, name, props)
    return found(runtime_edition_topology, stack)


def test_a_prod_like_multi_node_deployment_on_the_open_image_is_refused():
    """prod as it was: three replicas on the redis cluster driver, running the open image."""
    messages = topology(objectos(replicas=3, strategy={"type": "RollingUpdate"}, OS_CLUSTER_DRIVER="redis",
                                 OS_CLUSTER_REPLICAS="3", OS_SECRET_KEY="x", OS_REDIS_URL="x"))  # fmt: skip
    assert any("open edition on up to 3 pods" in m and "multi-node is licensed" in m for m in messages)
    assert any("OS_CLUSTER_REPLICAS" in m and "refuses the boot" in m for m in messages)


def test_one_open_pod_replaced_on_rollout_passes():
    assert topology(objectos()) == []


def test_an_open_rolling_update_surges_a_second_pod():
    (message,) = topology(objectos(strategy={"type": "RollingUpdate"}))
    assert "starts a second pod" in message and "Recreate" in message


def test_an_autoscaler_ceiling_above_one_is_refused_on_the_open_edition():
    hpa = {
        "metadata": {"name": "app", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "app"}, "minReplicas": 1, "maxReplicas": 3},
    }
    (message,) = topology(objectos(replicas=None), (HPA, "hpa", hpa))  # fmt: skip
    assert "up to 3 pods (autoscaler ceiling 3)" in message


def test_the_edition_label_wins_over_the_image():
    messages = topology(objectos("open", image=LICENSED_IMAGE, replicas=2, strategy={"type": "RollingUpdate"}))
    assert any("open edition on up to 2 pods" in m for m in messages)


def test_memory_multinode_is_refused_on_any_edition():
    (message,) = topology(objectos("licensed", image=LICENSED_IMAGE, OS_ALLOW_MEMORY_CLUSTER_MULTINODE="true"))
    assert "split brain" in message


def test_the_redis_cluster_driver_needs_its_url_and_the_secret_key():
    messages = topology(objectos("licensed", image=LICENSED_IMAGE, OS_CLUSTER_DRIVER="redis"))
    assert any("without OS_REDIS_URL" in m for m in messages)
    assert any("without OS_SECRET_KEY" in m for m in messages)


def test_a_multi_org_posture_on_the_open_edition_is_fatal():
    (message,) = topology(objectos(OS_TENANCY_POSTURE="isolated"))
    assert "FATAL" in message and "OS_TENANCY_POSTURE single" in message


def licensed(replicas: int = 3, declared: str = "3") -> dict:
    return objectos("licensed", image=LICENSED_IMAGE, replicas=replicas, strategy={"type": "RollingUpdate"},
                    OS_CLUSTER_DRIVER="redis", OS_CLUSTER_REPLICAS=declared, OS_SECRET_KEY="ref", OS_REDIS_URL="ref")  # fmt: skip


def test_licensed_pods_on_the_redis_driver_pass():
    assert topology(licensed()) == []


def test_licensed_pods_without_a_cluster_driver_run_alone():
    (message,) = topology(objectos("licensed", image=LICENSED_IMAGE, replicas=3, strategy={"type": "RollingUpdate"}))
    assert "without a remote cluster driver" in message


def test_the_declared_cluster_size_matches_the_replicas():
    (message,) = topology(licensed(replicas=3, declared="2"))
    assert "OS_CLUSTER_REPLICAS=2 but the workload runs 3" in message


def test_containers_that_do_not_run_objectos_are_left_alone():
    body = workload(DEPLOYMENT, pod([container([{"name": "PORT", "value": "80"}], image="nginx:1")]))
    body["spec"]["replicas"] = 5
    assert topology(body) == []
