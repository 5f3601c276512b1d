"""The ObjectOS workload as the prod preview would deploy it: probes, hardening, env, ordering."""

from __future__ import annotations

import re

import pytest

from components.workload import ObjectOsWorkload, WorkloadArgs
from components.workload import secret_refs as secret_refs_of
from testing.mocks import Registration
from tests.conftest import by_type, one, run_components

DEPLOYMENT = ("kubernetes:apps/v1:Deployment", "objectos-deployment")
JOB = ("kubernetes:batch/v1:Job", "objectos-migrate")
WORKLOAD = "objectos:index:ObjectOsWorkload"
RUNTIME_SECRETS = {"OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL", "OS_CLOUD_API_KEY", "OS_REDIS_URL"}
LICENSED_IMAGE = "registry.example.com/objectos-enterprise@sha256:" + "1" * 64
OPEN_IMAGE = "ghcr.io/objectstack-ai/objectstack:17.4.0"
SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|_KEY$|DATABASE_URL|REDIS_URL")


@pytest.fixture(scope="module")
def prod(previews):
    return previews("prod")


def resource(prod, kind: tuple[str, str]) -> Registration:
    token, name = kind
    found = [r for r in prod.result.resources if r.type == token and r.name == name]
    assert len(found) == 1, f"expected one {token} named {name}, found {len(found)}"
    return found[0]


def pod_spec(registration: Registration) -> dict:
    return registration.inputs["spec"]["template"]["spec"]


def container(registration: Registration) -> dict:
    (only,) = pod_spec(registration)["containers"]
    return only


def env(registration: Registration) -> dict[str, dict]:
    return {item["name"]: item for item in container(registration)["env"]}


def plain(registration: Registration, name: str) -> str:
    return env(registration)[name]["value"]


def secret_names(prod) -> set[str]:
    s = prod.settings
    return RUNTIME_SECRETS | set(s.secrets.provider_keys) | set(s.secret_values)


@pytest.fixture(params=[DEPLOYMENT, JOB], ids=["deployment", "migration-job"])
def pods(request, prod) -> Registration:
    return resource(prod, request.param)


def test_liveness_probe_is_the_health_route_on_the_http_port(prod):
    probe = container(resource(prod, DEPLOYMENT))["livenessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/api/v1/health", "http")


def test_readiness_probe_is_the_ready_route_on_the_http_port(prod):
    probe = container(resource(prod, DEPLOYMENT))["readinessProbe"]["httpGet"]
    assert (probe["path"], probe["port"]) == ("/api/v1/ready", "http")


def test_the_http_port_is_8080_and_os_port_says_so(prod):
    deployment = resource(prod, DEPLOYMENT)
    ports = {p["name"]: p["containerPort"] for p in container(deployment)["ports"]}
    assert ports["http"] == 8080
    assert plain(deployment, "OS_PORT") == "8080"


def test_pods_run_as_non_root(pods):
    assert pod_spec(pods)["securityContext"]["runAsNonRoot"] is True
    assert container(pods)["securityContext"]["runAsNonRoot"] is True


def test_containers_have_a_read_only_root_filesystem(pods):
    assert container(pods)["securityContext"]["readOnlyRootFilesystem"] is True


def test_containers_drop_all_capabilities(pods):
    assert container(pods)["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_containers_cannot_escalate_privileges(pods):
    assert container(pods)["securityContext"]["allowPrivilegeEscalation"] is False


def test_containers_have_requests_and_limits_from_settings(prod, pods):
    wanted = prod.settings.kubernetes.resources
    resources = container(pods)["resources"]
    assert resources["requests"] == {"cpu": wanted.requests.cpu, "memory": wanted.requests.memory}
    assert resources["limits"] == {"cpu": wanted.limits.cpu, "memory": wanted.limits.memory}


def test_pods_spread_across_zones(prod):
    deployment = resource(prod, DEPLOYMENT)
    pod_labels = deployment.inputs["spec"]["template"]["metadata"]["labels"]
    zone = [
        c
        for c in pod_spec(deployment)["topologySpreadConstraints"]
        if c["topologyKey"] == "topology.kubernetes.io/zone"
    ]
    assert len(zone) == 1
    assert zone[0]["labelSelector"]["matchLabels"].items() <= pod_labels.items()


def test_auth_url_is_the_public_https_domain(prod):
    assert plain(resource(prod, DEPLOYMENT), "OS_AUTH_URL") == f"https://{prod.settings.domain}"


def test_cors_and_trusted_origins_are_the_configured_origins(prod):
    deployment = resource(prod, DEPLOYMENT)
    origins = ",".join(prod.settings.cors.origins)
    assert plain(deployment, "OS_CORS_ORIGIN") == origins
    assert plain(deployment, "OS_TRUSTED_ORIGINS") == origins


def test_cors_credentials_follow_the_settings(prod):
    expected = "true" if prod.settings.cors.allow_credentials else "false"
    assert plain(resource(prod, DEPLOYMENT), "OS_CORS_CREDENTIALS") == expected


def test_image_and_artifact_come_from_the_release(prod, pods):
    release = prod.settings.release
    assert container(pods)["image"] == release.image
    assert plain(pods, "OS_ARTIFACT_URL") == release.artifact_url


def test_the_migration_job_migrates_and_exits(prod):
    assert plain(resource(prod, JOB), "OS_MIGRATE_AND_EXIT") == "1"


def test_the_server_pods_do_not_migrate_and_exit(prod):
    assert "OS_MIGRATE_AND_EXIT" not in env(resource(prod, DEPLOYMENT))


def test_the_deployment_waits_for_the_migration_job(prod):
    assert resource(prod, JOB).urn in resource(prod, DEPLOYMENT).dependencies


def test_the_runtime_secrets_arrive_by_secret_key_ref(prod, pods):
    variables = env(pods)
    for name in ("OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL"):
        assert "secretKeyRef" in variables[name].get("valueFrom", {}), name


def test_no_secret_env_var_has_a_literal_value(prod, pods):
    names = secret_names(prod)
    for name, item in env(pods).items():
        if name in names or SECRET_LOOKING.search(name):
            assert "value" not in item, f"{name} has a literal value"
            assert item["valueFrom"]["secretKeyRef"]["key"], name


def test_several_pods_share_state_through_redis(prod):
    variables = env(resource(prod, DEPLOYMENT))
    assert prod.settings.kubernetes.replicas > 1
    assert variables["OS_CLUSTER_DRIVER"]["value"] == "redis"
    assert "secretKeyRef" in variables["OS_REDIS_URL"]["valueFrom"]


def test_service_pdb_and_autoscaler_belong_to_the_workload(prod):
    (workload,) = [r for r in prod.result.resources if r.type == WORKLOAD]
    children = {r.type for r in prod.result.resources if r.parent == workload.urn}
    assert {
        "kubernetes:core/v1:Service",
        "kubernetes:policy/v1:PodDisruptionBudget",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        DEPLOYMENT[0],
        JOB[0],
    } <= children


def test_the_autoscaler_floor_is_the_configured_replicas(prod):
    (hpa,) = [r for r in prod.result.resources if r.type == "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
              and r.name == "objectos-hpa"]  # fmt: skip
    assert hpa.inputs["spec"]["minReplicas"] == prod.settings.kubernetes.replicas
    assert hpa.inputs["spec"]["maxReplicas"] >= hpa.inputs["spec"]["minReplicas"]


def test_the_workload_manifests_pass_strict_schema_validation(prod):
    (workload,) = [r for r in prod.result.resources if r.type == WORKLOAD]
    ours = {r.urn for r in prod.result.resources if r.parent == workload.urn}
    assert [p for p in prod.manifest_problems if p.urn in ours] == []


# --- what holds a pod back ----------------------------------------------------------


def secret_refs(registration: Registration) -> dict[str, dict]:
    return {name: item["valueFrom"]["secretKeyRef"] for name, item in env(registration).items() if "valueFrom" in item}


def filled_out_of_band(prod) -> set[str]:
    s = prod.settings
    oidc = {f"OIDC_{p.provider_id.upper().replace('-', '_')}_CLIENT_SECRET" for p in s.oidc}
    return {"OS_CLOUD_API_KEY", *s.secrets.provider_keys, *oidc}


def test_the_migration_job_requires_only_the_secrets_a_migration_needs(prod):
    refs = secret_refs(resource(prod, JOB))
    required = {name for name, ref in refs.items() if not ref.get("optional")}
    assert required == {"OS_DATABASE_URL", "OS_SECRET_KEY", "OS_AUTH_SECRET"}


def test_the_migration_job_may_read_the_control_plane_key_but_never_waits_for_it(prod):
    ref = secret_refs(resource(prod, JOB))["OS_CLOUD_API_KEY"]
    assert ref.get("optional") is True


def test_values_filled_out_of_band_are_optional_for_the_server_pods(prod):
    refs = secret_refs(resource(prod, DEPLOYMENT))
    optional = {name for name, ref in refs.items() if ref.get("optional") is True}
    assert filled_out_of_band(prod) <= set(refs)
    assert optional == filled_out_of_band(prod)


def test_the_database_url_stays_a_required_secret(pods):
    assert not secret_refs(pods)["OS_DATABASE_URL"].get("optional")


def test_the_deployment_leaves_the_replica_count_to_the_autoscaler(prod):
    deployment = resource(prod, DEPLOYMENT)
    hpa = resource(prod, ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "objectos-hpa"))
    target = hpa.inputs["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment.inputs["metadata"]["name"])
    assert "replicas" not in deployment.inputs["spec"]


def test_the_pods_run_as_the_namespace_s_service_account(prod, pods):
    account = resource(prod, ("kubernetes:core/v1:ServiceAccount", "objectos-sa"))
    assert pod_spec(pods)["serviceAccountName"] == account.inputs["metadata"]["name"]
    assert account.urn in pods.dependencies  # the pods wait for the account they run as
    assert len([r for r in prod.result.resources if r.type == "kubernetes:core/v1:ServiceAccount"]) == 1


# --- the component on its own -------------------------------------------------------


def workload_args(**changes) -> WorkloadArgs:
    values = dict(
        namespace="shop",
        public_url="https://shop.example.com",
        cors_origins=["https://shop.example.com"],
        image=LICENSED_IMAGE,
        edition="licensed",
        cluster_driver="redis",
        artifact_url="https://artifacts.example.com/a.json#sha256=" + "0" * 64,
        release_id="r1",
        secret_name="env",
        secret_env={name: name for name in ("OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL", "SMTP_PASSWORD")},
        server_secret_name="cluster-env",
        server_secret_env={"OS_REDIS_URL": "OS_REDIS_URL"},
        optional_secret_env=["SMTP_PASSWORD"],
    )
    return WorkloadArgs(**{**values, **changes})


def test_the_migration_refs_require_no_extra_and_leave_out_the_server_only_secret():
    refs = secret_refs_of(workload_args(), migrate=True)
    assert [(var, secret, optional) for var, secret, _, optional in refs] == [
        ("OS_AUTH_SECRET", "env", False), ("OS_DATABASE_URL", "env", False), ("OS_SECRET_KEY", "env", False),
        ("SMTP_PASSWORD", "env", True),
    ]  # fmt: skip


def test_the_server_refs_mark_only_the_named_extras_optional():
    refs = {var: (secret, optional) for var, secret, _, optional in secret_refs_of(workload_args())}
    assert refs["SMTP_PASSWORD"] == ("env", True)
    assert refs["OS_REDIS_URL"] == ("cluster-env", False)
    assert [var for var, (_, optional) in refs.items() if optional] == ["SMTP_PASSWORD"]


def test_without_a_given_account_the_workload_makes_its_own():
    result = run_components(lambda: ObjectOsWorkload("shop", workload_args()))
    (account,) = by_type(result, "kubernetes:core/v1:ServiceAccount")
    assert pod_spec(one(result, DEPLOYMENT[0]))["serviceAccountName"] == account.inputs["metadata"]["name"]


def test_with_a_given_account_the_workload_makes_none_and_runs_as_it():
    result = run_components(lambda: ObjectOsWorkload("shop", workload_args(service_account_name="shop-runtime")))
    assert by_type(result, "kubernetes:core/v1:ServiceAccount") == []
    assert pod_spec(one(result, DEPLOYMENT[0]))["serviceAccountName"] == "shop-runtime"
    assert pod_spec(one(result, JOB[0]))["serviceAccountName"] == "shop-runtime"


def test_annotations_for_an_account_the_workload_does_not_make_are_refused():
    with pytest.raises(ValueError, match="service_account_annotations"):
        workload_args(service_account_name="shop-runtime", service_account_annotations={"a": "b"})


# --- the edition's topology -------------------------------------------------------------


def open_args(**changes) -> WorkloadArgs:
    values = dict(image=OPEN_IMAGE, edition=None, cluster_driver=None, replicas=1, max_replicas=1,
                  server_secret_name=None, server_secret_env={})  # fmt: skip
    return workload_args(**{**values, **changes})


def test_the_open_image_is_inferred_to_run_the_open_edition():
    assert open_args().edition == "open"


def test_an_image_the_component_cannot_recognise_must_state_its_edition():
    with pytest.raises(ValueError, match="say which runtime edition"):
        workload_args(edition=None)


def test_the_open_edition_on_several_pods_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="multi-node is licensed; run one pod"):
        open_args(replicas=3, max_replicas=9)


def test_the_open_edition_takes_no_cluster_driver():
    with pytest.raises(ValueError, match="no remote cluster driver"):
        open_args(cluster_driver="redis")


def test_several_licensed_pods_need_the_redis_driver_and_its_url():
    with pytest.raises(ValueError, match="need cluster_driver 'redis'"):
        workload_args(cluster_driver=None)
    with pytest.raises(ValueError, match="needs OS_REDIS_URL"):
        workload_args(server_secret_env={})


def test_a_cluster_driver_needs_the_secret_key():
    with pytest.raises(ValueError, match="OS_SECRET_KEY mandatory"):
        workload_args(secret_env={"OS_DATABASE_URL": "OS_DATABASE_URL", "OS_AUTH_SECRET": "OS_AUTH_SECRET"})


def test_one_open_pod_is_replaced_not_surged_and_has_no_autoscaler():
    result = run_components(lambda: ObjectOsWorkload("shop", open_args()))
    deployment = one(result, DEPLOYMENT[0])
    assert deployment.inputs["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment.inputs["spec"]["replicas"] == 1
    assert by_type(result, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler") == []
    assert not {"OS_CLUSTER_DRIVER", "OS_CLUSTER_REPLICAS", "OS_REDIS_URL"} & set(env(deployment))


def test_licensed_pods_declare_the_cluster_and_its_size(prod):
    variables = env(resource(prod, DEPLOYMENT))
    assert variables["OS_CLUSTER_DRIVER"]["value"] == "redis"
    assert variables["OS_CLUSTER_REPLICAS"]["value"] == str(prod.settings.kubernetes.replicas)
    assert "secretKeyRef" in variables["OS_SECRET_KEY"]["valueFrom"]


def test_the_pods_carry_the_edition_they_run(previews):
    for stack, edition in (("prod", "licensed"), ("dev", "open")):
        deployment = resource(previews(stack), DEPLOYMENT)
        assert deployment.inputs["spec"]["template"]["metadata"]["labels"]["objectos.dev/edition"] == edition


# --- how long `pulumi up` waits -----------------------------------------------------------


def test_the_migration_wait_outlasts_the_job_s_own_deadline(prod):
    job = resource(prod, JOB)
    assert job.inputs["spec"]["activeDeadlineSeconds"] == 1800
    assert job.custom_timeouts == {"create": "35m", "update": "35m"}  # 30 min deadline + 5 min margin


def test_the_rollout_wait_covers_every_wave_at_the_autoscaler_ceiling(prod):
    deployment = resource(prod, DEPLOYMENT)
    assert deployment.inputs["spec"]["progressDeadlineSeconds"] == 600
    # 9 pods at 25% surge: 3 waves of up to 10 minutes each, plus 5 minutes.
    assert prod.settings.kubernetes.autoscaler_ceiling == 9
    assert deployment.custom_timeouts == {"create": "35m", "update": "35m"}


def test_one_pod_waits_for_one_progress_deadline(previews):
    deployment = resource(previews("dev"), DEPLOYMENT)
    assert deployment.custom_timeouts == {"create": "15m", "update": "15m"}


def test_the_first_secret_sync_has_its_own_wait(prod):
    (delivery, *_) = [r for r in prod.result.resources if r.type.endswith(":ExternalSecret")]
    assert delivery.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Ready"
    assert delivery.custom_timeouts == {"create": "10m", "update": "10m"}


def test_rollout_waves_follow_the_surge():
    from components import waits

    assert [waits.rollout_waves(n) for n in (1, 2, 4, 6, 9, 12)] == [1, 2, 4, 3, 3, 4]
    assert waits.rollout_waves(3, max_surge_percent=100) == 1
    assert waits.job_timeout_seconds(1800) == 2100 and waits.duration(2100) == "35m" and waits.duration(90) == "90s"
