"""The server env the rehearsal gives the runtime, read from each shipped stack's offline preview."""

from __future__ import annotations

import copy
import re
from dataclasses import replace

import pytest

from golive.rehearse.env import RehearsalEnvError, StandIns, server_deployment, server_env
from tests.conftest import stack_settings

STACKS = ("dev", "staging", "prod")
LOCAL = StandIns(
    port=41234, database_url="memory://", redis_url="redis://127.0.0.1:6399", artifact_url="file:///a.json"
)


def _env(previews, stack: str, stand_ins: StandIns = LOCAL):
    return server_env(previews(stack).result.resources, stand_ins)


@pytest.mark.parametrize("stack", STACKS)
def test_generated_secrets_have_the_kits_strength(previews, stack):
    env = _env(previews, stack)
    assert re.fullmatch(r"[A-Za-z0-9]{64}", env.env["OS_AUTH_SECRET"])
    assert re.fullmatch(r"[0-9a-f]{64}", env.env["OS_SECRET_KEY"]), "OS_SECRET_KEY is 32 bytes as hex"
    assert {"OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL"} <= env.secret_vars


@pytest.mark.parametrize("stack", STACKS)
def test_secrets_are_fresh_on_every_run_and_never_described(previews, stack):
    first, second = _env(previews, stack), _env(previews, stack)
    assert first.env["OS_AUTH_SECRET"] != second.env["OS_AUTH_SECRET"]
    assert first.env["OS_SECRET_KEY"] != second.env["OS_SECRET_KEY"]
    described = "\n".join(first.describe())
    assert all(value not in described for value in first.secret_values if len(value) > 12)


@pytest.mark.parametrize("stack", STACKS)
def test_cloud_urls_point_at_the_local_stand_ins(previews, stack):
    env = _env(previews, stack).env
    assert env["OS_DATABASE_URL"] == "memory://"
    assert env["OS_ARTIFACT_URL"] == "file:///a.json"
    assert env["OS_PORT"] == "41234"
    assert env["OS_CLOUD_URL"] == "off", "no call to the vendor's cloud from a rehearsal"


@pytest.mark.parametrize("stack", STACKS)
def test_declared_cors_and_image_presets_reach_the_runtime(previews, stack):
    env = _env(previews, stack).env
    settings = stack_settings(stack)
    assert env["OS_CORS_ORIGIN"].split(",") == list(settings.cors.origins)
    assert "*" not in env["OS_CORS_ORIGIN"]
    assert env["NODE_ENV"] == "production", "the image's preset"
    assert all(isinstance(v, str) and "[secret]" not in v and "[unknown]" not in v for v in env.values())


@pytest.mark.parametrize("stack", STACKS)
def test_optional_secrets_filled_out_of_band_stay_unset(previews, stack):
    env = _env(previews, stack)
    assert "OS_CLOUD_API_KEY" in env.unset
    assert not set(env.unset) & set(env.env)


def test_prod_declares_the_cluster_the_open_edition_refuses(previews):
    env = _env(previews, "prod").env
    assert (env["OS_CLUSTER_DRIVER"], env["OS_CLUSTER_REPLICAS"]) == ("redis", "3")
    assert env["OS_REDIS_URL"] == "redis://127.0.0.1:6399"


def test_without_a_local_redis_the_redis_url_is_unset_and_said(previews):
    env = _env(previews, "prod", replace(LOCAL, redis_url=None))
    assert "OS_REDIS_URL" not in env.env
    assert "unset" in env.replaced["OS_REDIS_URL"]


def test_dev_runs_one_node_without_a_cluster_driver(previews):
    env = _env(previews, "dev").env
    assert "OS_CLUSTER_DRIVER" not in env and "OS_CLUSTER_REPLICAS" not in env


# --- what the rehearsal cannot resolve is an error naming it ------------------------


def _with_container(previews, stack: str, change):
    resources = list(previews(stack).result.resources)
    deployment = server_deployment(resources)
    inputs = copy.deepcopy(deployment.inputs)
    change(inputs["spec"]["template"]["spec"]["containers"][0])
    resources[resources.index(deployment)] = replace(deployment, inputs=inputs)
    return resources


def test_a_required_secret_without_a_stand_in_is_named(previews):
    def add(container):
        container["env"].append(
            {"name": "STRIPE_KEY", "valueFrom": {"secretKeyRef": {"name": "x", "key": "STRIPE_KEY"}}}
        )

    with pytest.raises(RehearsalEnvError, match="STRIPE_KEY comes from Secret x key STRIPE_KEY"):
        server_env(_with_container(previews, "dev", add), LOCAL)


def test_env_from_is_refused(previews):
    def add(container):
        container["envFrom"] = [{"secretRef": {"name": "extra"}}]

    with pytest.raises(RehearsalEnvError, match="envFrom"):
        server_env(_with_container(previews, "dev", add), LOCAL)


def test_a_container_env_overrides_the_image_presets(previews):
    def add(container):
        container["env"].append({"name": "NODE_ENV", "value": "development"})

    assert server_env(_with_container(previews, "dev", add), LOCAL).env["NODE_ENV"] == "development"


def test_a_graph_without_the_server_deployment_is_refused(previews):
    resources = [r for r in previews("dev").result.resources if r.type != "kubernetes:apps/v1:Deployment"]
    with pytest.raises(RehearsalEnvError, match="0 Deployments labelled objectos.dev/role=server"):
        server_env(resources, LOCAL)


def test_a_stand_in_urls_credential_is_secret_and_never_described(previews):
    env = _env(previews, "prod", replace(LOCAL, redis_url="rediss://:local-token-123@127.0.0.1:6399"))
    assert "local-token-123" in env.secret_values
    assert "local-token-123" not in "\n".join(env.describe())
