"""Secrets: Secrets Manager entries under the kit's KMS key, delivered to pods without baking.

Pure checks of the catalog and its policy documents, the AppSecrets component
under mocks, the prod preview's wiring, the settings rules, and a run of the real
program with planted values that must never reach the plan or the summary.
"""

from __future__ import annotations

import io
import json
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest

from components import secret_catalog as catalog
from components.app_secrets import AppSecrets, AppSecretsArgs, WorkloadIdentity
from golive.plan import find_leaks, secret_texts
from golive.preview import print_summary, run_preview
from program import adapters
from settings.errors import SettingsError
from settings.load import Secure, from_engine, validate
from testing.mocks import Registration, Secret
from tests.conftest import by_type, one, run_components, stack_config, stack_settings, with_values

ACCOUNT = "123456789012"
REGION = "eu-west-1"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/ABC123"
ISSUER = f"oidc.eks.{REGION}.amazonaws.com/id/ABC123"
ADMINS = [f"arn:aws:iam::{ACCOUNT}:role/objectos-deployer"]
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
EXTERNAL_SECRET = ("kubernetes:external-secrets.io/v1:ExternalSecret", "objectos-env-external-secret")
ELASTICACHE_SYMBOLS = set("!&#$^<>-")
ALNUM = set(string.ascii_letters + string.digits)


def prod_entries(**changes: Any) -> list[catalog.SecretEntry]:
    return adapters.secret_entries(stack_settings("prod", **changes))


def by_env(entries: list[catalog.SecretEntry]) -> dict[str, catalog.SecretEntry]:
    return {entry.env: entry for entry in entries}


# --- the catalog ---------------------------------------------------------------------


def test_every_entry_is_named_under_objectos_and_the_stack():
    for entry in prod_entries():
        assert entry.name == f"objectos/prod/{entry.env}"


def test_the_prod_stack_has_an_entry_for_each_value_the_issue_lists():
    names = set(by_env(prod_entries()))
    assert names == {
        "OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL", "OS_CLOUD_API_KEY", "REDIS_AUTH_TOKEN",
        "OS_REDIS_URL", "OIDC_OKTA_CLIENT_SECRET", "SMTP_PASSWORD", "OPENAI_API_KEY",
    }  # fmt: skip


def test_redis_entries_exist_only_for_more_than_one_pod():
    single = catalog.entries("s", redis=False)
    assert not {"REDIS_AUTH_TOKEN", "OS_REDIS_URL"} & set(by_env(single))


def test_the_redis_token_reaches_pods_only_inside_the_url():
    entries = by_env(prod_entries())
    assert not entries["REDIS_AUTH_TOKEN"].delivered
    assert entries["OS_REDIS_URL"].delivered


def test_auth_and_master_keys_are_generated_unless_given():
    generated = by_env(catalog.entries("s"))
    given = by_env(catalog.entries("s", given={"OS_SECRET_KEY"}))
    assert generated["OS_SECRET_KEY"].source == "generated"
    assert (given["OS_SECRET_KEY"].source, given["OS_SECRET_KEY"].generator) == ("given", None)
    assert given["OS_AUTH_SECRET"].source == "generated"


def test_values_nobody_gave_are_left_for_the_operator():
    entries = by_env(prod_entries())
    assert {env for env, e in entries.items() if e.source == "unset"} == {
        "OIDC_OKTA_CLIENT_SECRET", "SMTP_PASSWORD", "OPENAI_API_KEY"
    }  # fmt: skip


def test_of_the_values_filled_out_of_band_only_the_database_url_is_required_to_start():
    entries = prod_entries()
    assert {e.env for e in entries if not e.required} == {
        "OS_CLOUD_API_KEY", "OIDC_OKTA_CLIENT_SECRET", "SMTP_PASSWORD", "OPENAI_API_KEY"
    }  # fmt: skip
    assert (
        by_env(catalog.entries("s", given={"SMTP_PASSWORD"}, provider_keys=["SMTP_PASSWORD"]))["SMTP_PASSWORD"].required
        is False
    )  # a given value keeps the same reference


def test_oidc_client_secrets_are_named_for_their_provider():
    assert catalog.oidc_client_secret_name("azure-ad") == "OIDC_AZURE_AD_CLIENT_SECRET"


def test_the_auth_secret_is_at_least_64_alphanumerics():
    spec = catalog.AUTH_SECRET_SPEC
    assert spec.length >= 64 and set(spec.alphabet) == ALNUM


def test_the_master_key_is_32_bytes_as_hex():
    assert (catalog.SECRET_KEY_SPEC.length, catalog.SECRET_KEY_SPEC.encoding) == (32, "hex")


def test_the_redis_token_fits_elasticache_and_needs_no_url_escaping():
    spec = catalog.REDIS_TOKEN_SPEC
    symbols = set(spec.alphabet) - ALNUM
    assert 16 <= spec.length <= 128
    assert symbols and symbols <= ELASTICACHE_SYMBOLS
    assert not symbols & set("#^<>")  # would be escaped in rediss://:<token>@host


# --- policy documents ----------------------------------------------------------------


def test_the_workload_policy_reads_exact_secrets_and_decrypts_through_secrets_manager_only():
    arns = [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:objectos/p/{name}" for name in ("B-y2", "A-x1")]
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234"
    read, decrypt = catalog.workload_read_policy(arns, key, REGION)["Statement"]
    assert read["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    assert read["Resource"] == sorted(arns)
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", key)
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}


@pytest.mark.parametrize("wild", ["*", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:objectos/p/*"])
def test_the_workload_policy_refuses_a_wildcard_resource(wild):
    with pytest.raises(ValueError, match="wildcard"):
        catalog.workload_read_policy([wild], "arn:aws:kms:eu-west-1:123456789012:key/1", REGION)


def test_only_the_workload_service_account_with_the_sts_audience_assumes_the_role():
    (statement,) = catalog.workload_trust_policy(OIDC_ARN, ISSUER, "objectos")["Statement"]
    assert statement["Principal"] == {"Federated": OIDC_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        f"{ISSUER}:sub": "system:serviceaccount:objectos:objectos",
        f"{ISSUER}:aud": "sts.amazonaws.com",
    }


def test_the_resource_policy_denies_reads_to_every_principal_not_listed():
    (statement,) = catalog.secret_resource_policy("arn:s", ["arn:b", "arn:a"])["Statement"]
    assert (statement["Effect"], statement["Principal"]) == ("Deny", "*")
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert statement["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": ["arn:a", "arn:b"]}}


def test_the_key_is_used_for_data_only_through_its_services():
    policy = catalog.key_policy(ACCOUNT, REGION, "prod")
    for statement in policy["Statement"]:
        data_actions = {"kms:Decrypt", "kms:Decrypt*", "kms:GenerateDataKey*"} & set(statement["Action"])
        if data_actions:
            assert "Condition" in statement, statement["Sid"]


def test_cloudwatch_logs_may_use_the_key_for_the_stack_log_groups_only():
    (logs,) = [s for s in catalog.key_policy(ACCOUNT, REGION, "prod")["Statement"] if "Service" in s["Principal"]]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/objectos/prod/*"
    )


# --- AppSecrets under mocks ----------------------------------------------------------


def make_secrets(workload: bool = True, given: dict[str, str] | None = None):
    given = given or {"OS_DATABASE_URL": "postgres://u:p@db/x"}
    entries = catalog.entries(
        "test", given=given, oidc_provider_ids=["okta"], provider_keys=["SMTP_PASSWORD"], redis=True
    )

    def body() -> None:
        import pulumi

        AppSecrets(
            "s",
            AppSecretsArgs(
                stack="test", region=REGION, account_id=ACCOUNT, entries=entries, admin_role_arns=ADMINS,
                given_values={k: pulumi.Output.secret(v) for k, v in given.items()}, recovery_window_days=14,
                workload=WorkloadIdentity(OIDC_ARN, ISSUER, "objectos") if workload else None,
                tags={"objectos:stack": "test"},
            ),
        )  # fmt: skip

    return entries, run_components(body)


@pytest.fixture(scope="module")
def made():
    return make_secrets()


def named(result, token: str, name: str) -> Registration:
    (found,) = [r for r in by_type(result, token) if r.name == name]
    return found


def test_every_entry_exists_encrypted_with_the_kit_key_and_protected(made):
    entries, result = made
    key = one(result, KEY)
    secrets = {r.inputs["name"]: r for r in by_type(result, SECRET)}
    assert set(secrets) == {e.name for e in entries}
    for secret in secrets.values():
        assert secret.inputs["kmsKeyId"].endswith(f":{key.name}")  # the mock's ARN of the kit's key
        assert secret.protect and secret.inputs["recoveryWindowInDays"] == 14
        assert secret.inputs["tags"]["objectos:stack"] == "test"


def test_the_key_rotates_and_outlives_the_stack(made):
    key = one(made[1], KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.protect and key.retain_on_delete


def test_the_master_key_entry_outlives_the_stack(made):
    secret = named(made[1], SECRET, "s-os-secret-key")
    assert secret.retain_on_delete


def test_generated_values_are_secret_long_enough_and_from_the_right_alphabet(made):
    result = made[1]
    auth = named(result, VERSION, "s-os-auth-secret-value").inputs["secretString"]
    master = named(result, VERSION, "s-os-secret-key-value").inputs["secretString"]
    token = named(result, VERSION, "s-redis-auth-token-value").inputs["secretString"]
    assert all(isinstance(v, Secret) for v in (auth, master, token))
    assert len(auth.value) >= 64 and set(auth.value) <= ALNUM
    assert re.fullmatch(r"[0-9a-f]{64}", master.value)
    assert 16 <= len(token.value) <= 128 and set(token.value) <= ALNUM | set(catalog.REDIS_TOKEN_SPECIALS)


def test_generators_are_protected_so_a_key_is_never_regenerated(made):
    generators = [r for r in made[1].resources if r.type.startswith("random:")]
    assert len(generators) == 3 and all(r.protect for r in generators)


def test_given_values_are_written_as_secrets(made):
    version = named(made[1], VERSION, "s-os-database-url-value")
    assert version.inputs["secretString"] == Secret("postgres://u:p@db/x")


def test_entries_without_a_value_get_no_version(made):
    versions = {r.name for r in by_type(made[1], VERSION)}
    for slug in ("os-cloud-api-key", "smtp-password", "oidc-okta-client-secret", "os-redis-url"):
        assert f"s-{slug}-value" not in versions


def test_each_entry_denies_reads_to_all_but_admins_and_the_workload_role(made):
    role = one(made[1], ROLE)
    for policy in by_type(made[1], POLICY):
        (statement,) = json.loads(policy.inputs["policy"])["Statement"]
        readers = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        others = [arn for arn in readers if arn not in ADMINS]
        assert set(ADMINS) <= set(readers), policy.name
        if policy.name == "s-redis-auth-token-policy":
            assert others == []
        else:
            assert len(others) == 1 and others[0].endswith(f":{role.name}"), policy.name
        assert statement["Resource"] == policy.inputs["secretArn"]
        assert policy.inputs["blockPublicPolicy"] is True


def test_the_workload_role_reads_exactly_the_delivered_entries(made):
    entries, result = made
    (statement, decrypt) = json.loads(one(result, ROLE_POLICY).inputs["policy"])["Statement"]
    arn_of = {p.name.removesuffix("-policy"): p.inputs["secretArn"] for p in by_type(result, POLICY)}
    delivered = sorted(arn_of[f"s-{e.slug}"] for e in entries if e.delivered)
    assert statement["Resource"] == delivered
    assert arn_of["s-redis-auth-token"] not in statement["Resource"]
    assert decrypt["Resource"] == by_type(result, SECRET)[0].inputs["kmsKeyId"]


def test_the_workload_policy_has_no_wildcard_resource(made):
    for statement in json.loads(one(made[1], ROLE_POLICY).inputs["policy"])["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert resources and not [r for r in resources if "*" in r]


def test_the_role_trusts_the_clusters_oidc_provider(made):
    trust = json.loads(one(made[1], ROLE).inputs["assumeRolePolicy"])
    assert trust == catalog.workload_trust_policy(OIDC_ARN, ISSUER, "objectos")


def test_without_a_cluster_identity_there_is_no_role_and_admins_alone_read():
    _, result = make_secrets(workload=False)
    assert not by_type(result, ROLE) and not by_type(result, ROLE_POLICY)
    (statement,) = json.loads(by_type(result, POLICY)[0].inputs["policy"])["Statement"]
    assert statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == ADMINS


def test_the_component_lists_the_entries_left_to_fill(made):
    (component,) = [r for r in made[1].resources if r.type == "objectos:index:AppSecrets"]
    assert component.outputs["unset_secrets"] == [
        "objectos/test/OS_CLOUD_API_KEY", "objectos/test/OIDC_OKTA_CLIENT_SECRET", "objectos/test/SMTP_PASSWORD"
    ]  # fmt: skip


# --- the service account and the store under mocks -----------------------------------


def test_the_namespace_makes_the_annotated_service_account_it_is_asked_for():
    from components.namespace import AppNamespace, AppNamespaceArgs

    role = f"arn:aws:iam::{ACCOUNT}:role/objectos-test-workload"
    annotations = {"eks.amazonaws.com/role-arn": role}
    args = AppNamespaceArgs(name="shop", service_account="shop-runtime", service_account_annotations=annotations)
    result = run_components(lambda: AppNamespace("ns", args))
    account = one(result, "kubernetes:core/v1:ServiceAccount").inputs
    assert (account["metadata"]["name"], account["metadata"]["namespace"]) == ("shop-runtime", "shop")
    assert account["metadata"]["annotations"] == annotations
    assert account["automountServiceAccountToken"] is False
    assert one(result, "objectos:index:AppNamespace").outputs["service_account_name"] == "shop-runtime"


def test_the_namespace_makes_no_service_account_unless_asked():
    from components.namespace import AppNamespace, AppNamespaceArgs

    result = run_components(lambda: AppNamespace("ns", AppNamespaceArgs(name="shop")))
    assert by_type(result, "kubernetes:core/v1:ServiceAccount") == []


def test_a_delivery_given_a_store_makes_none_and_reads_through_it():
    from components.secret_delivery import SecretDelivery, SecretDeliveryArgs

    def body() -> None:
        first = SecretDelivery(
            "a", SecretDeliveryArgs(namespace="shop", region=REGION, target_secret="a", keys={"K": "objectos/test/K"})
        )
        SecretDelivery(
            "b",
            SecretDeliveryArgs(
                namespace="shop", region=REGION, target_secret="b", keys={"L": "objectos/test/L"},
                store_name=first.store_name,
            ),
        )  # fmt: skip

    result = run_components(body)
    store = one(result, "kubernetes:external-secrets.io/v1:SecretStore")
    second = named(result, "kubernetes:external-secrets.io/v1:ExternalSecret", "b-external-secret")
    assert second.inputs["spec"]["secretStoreRef"]["name"] == store.inputs["metadata"]["name"]
    assert store.urn in {u for urns in second.property_dependencies.values() for u in urns}


# --- the prod preview ----------------------------------------------------------------


@pytest.fixture(scope="module")
def prod(previews):
    return previews("prod")


def resource(preview, token: str, name: str) -> Registration:
    (found,) = [r for r in preview.result.resources if r.type == token and r.name == name]
    return found


def containers(preview) -> Iterator[tuple[str, dict]]:
    pods = (("kubernetes:apps/v1:Deployment", "objectos-deployment"), ("kubernetes:batch/v1:Job", "objectos-migrate"))
    for token, name in pods:
        for container in resource(preview, token, name).inputs["spec"]["template"]["spec"]["containers"]:
            yield name, container


def secret_refs(preview) -> dict[str, tuple[str, str]]:
    refs = {}
    for _, container in containers(preview):
        for item in container["env"]:
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                refs[item["name"]] = (ref["name"], ref["key"])
    return refs


def server_refs(preview) -> dict[str, tuple[str, str]]:
    refs = {}
    for name, container in containers(preview):
        if name == "objectos-deployment":
            for item in container["env"]:
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs[item["name"]] = (ref["name"], ref["key"])
    return refs


def test_the_server_pods_read_every_delivered_secret_by_reference(prod):
    delivered = {e.env for e in prod_entries() if e.delivered}
    refs = server_refs(prod)
    assert set(refs) == delivered
    expected = {
        env: catalog.SERVER_SECRET if env in catalog.SERVER_ONLY else catalog.KUBERNETES_SECRET for env in delivered
    }
    assert {env: secret for env, (secret, _) in refs.items()} == expected


def test_multi_pod_prod_gets_the_redis_driver_and_url_by_reference_on_the_server_only(prod):
    env_of = {name: {item["name"]: item for item in container["env"]} for name, container in containers(prod)}
    assert env_of["objectos-deployment"]["OS_CLUSTER_DRIVER"]["value"] == "redis"
    assert "value" not in env_of["objectos-deployment"]["OS_REDIS_URL"]
    # The migration runs alone and exits: it joins no cluster, so it never waits for Redis.
    assert "OS_CLUSTER_DRIVER" not in env_of["objectos-migrate"]
    assert "OS_REDIS_URL" not in env_of["objectos-migrate"]


def test_the_migration_job_does_not_wait_for_redis(prod):
    job = resource(prod, "kubernetes:batch/v1:Job", "objectos-migrate")
    waits = set(job.dependencies) | {u for urns in job.property_dependencies.values() for u in urns}
    assert not any("objectos-cluster-env" in urn or "objectos-redis" in urn for urn in waits)


def test_the_external_secrets_map_every_key_the_pods_read(prod):
    core = resource(prod, *EXTERNAL_SECRET).inputs["spec"]
    server = resource(
        prod, "kubernetes:external-secrets.io/v1:ExternalSecret", "objectos-cluster-env-external-secret"
    ).inputs["spec"]
    mapped = {
        spec["target"]["name"]: {item["secretKey"]: item["remoteRef"]["key"] for item in spec["data"]}
        for spec in (core, server)
    }
    delivered = {e.env: e.name for e in prod_entries() if e.delivered}
    assert mapped[catalog.KUBERNETES_SECRET] == {k: v for k, v in delivered.items() if k not in catalog.SERVER_ONLY}
    assert mapped[catalog.SERVER_SECRET] == {k: v for k, v in delivered.items() if k in catalog.SERVER_ONLY}
    for env, (secret, key) in server_refs(prod).items():
        assert mapped[secret][key] == delivered[env]


def test_the_store_signs_in_as_the_workload_service_account(prod):
    store = resource(prod, "kubernetes:external-secrets.io/v1:SecretStore", "objectos-env-store").inputs
    aws = store["spec"]["provider"]["aws"]
    assert (aws["service"], aws["region"]) == ("SecretsManager", "eu-west-1")
    assert aws["auth"] == {"jwt": {"serviceAccountRef": {"name": catalog.SERVICE_ACCOUNT}}}
    assert store["apiVersion"] == "external-secrets.io/v1"


def test_the_service_account_carries_the_irsa_role(prod):
    account = resource(prod, "kubernetes:core/v1:ServiceAccount", "objectos-sa").inputs["metadata"]
    role = resource(prod, ROLE, "objectos-secrets-workload")
    assert account["name"] == catalog.SERVICE_ACCOUNT
    assert account["annotations"]["eks.amazonaws.com/role-arn"].endswith(role.name)


def test_the_irsa_trust_names_the_account_the_pods_run_as(prod):
    account = resource(prod, "kubernetes:core/v1:ServiceAccount", "objectos-sa").inputs["metadata"]
    trust = json.loads(resource(prod, ROLE, "objectos-secrets-workload").inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    (subject,) = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subject == f"system:serviceaccount:{account['namespace']}:{account['name']}"
    for pod, _ in containers(prod):
        token = "kubernetes:apps/v1:Deployment" if pod == "objectos-deployment" else "kubernetes:batch/v1:Job"
        assert resource(prod, token, pod).inputs["spec"]["template"]["spec"]["serviceAccountName"] == account["name"]


def test_the_external_secrets_wait_for_the_service_account_they_sign_in_as(prod):
    account = resource(prod, "kubernetes:core/v1:ServiceAccount", "objectos-sa")
    externals = [r for r in prod.result.resources if r.type == EXTERNAL_SECRET[0]]
    assert len(externals) == 2
    assert [r.name for r in externals if account.urn not in r.dependencies] == []


def test_one_store_serves_both_secrets(prod):
    (store,) = [r for r in prod.result.resources if r.type == "kubernetes:external-secrets.io/v1:SecretStore"]
    externals = [r for r in prod.result.resources if r.type == EXTERNAL_SECRET[0]]
    assert {r.inputs["spec"]["secretStoreRef"]["name"] for r in externals} == {store.inputs["metadata"]["name"]}
    assert all(store.urn in r.dependencies for r in externals)


def test_the_migration_waits_for_the_first_sync(prod):
    external = resource(prod, *EXTERNAL_SECRET)
    job = resource(prod, "kubernetes:batch/v1:Job", "objectos-migrate")
    assert external.urn in job.dependencies
    assert external.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Ready"


def test_the_first_sync_waits_for_the_values(prod):
    core = resource(prod, *EXTERNAL_SECRET)
    server = resource(prod, "kubernetes:external-secrets.io/v1:ExternalSecret", "objectos-cluster-env-external-secret")
    versions = {r.urn for r in prod.result.resources if r.type == VERSION}
    redis_url = {urn for urn in versions if "objectos-redis" in urn}
    assert redis_url and versions - redis_url <= set(core.dependencies)
    assert redis_url <= set(server.dependencies)


def test_no_secret_variable_has_a_literal_value(prod):
    names = {e.env for e in prod_entries()}
    items = [(pod, item) for pod, container in containers(prod) for item in container["env"]]
    assert [(pod, item["name"]) for pod, item in items if item["name"] in names and "value" in item] == []


def test_the_stack_exports_the_entries_to_fill(prod):
    assert prod.result.outputs["secrets_to_fill"] == [
        "objectos/prod/OIDC_OKTA_CLIENT_SECRET", "objectos/prod/SMTP_PASSWORD", "objectos/prod/OPENAI_API_KEY"
    ]  # fmt: skip


@pytest.fixture(scope="module")
def dev_without_oidc():
    from golive.preview import run_preview

    config = stack_config("dev")
    kubernetes = {k: v for k, v in config.values["objectos:kubernetes"].items() if k != "oidcProviderArn"}
    config = with_values(config, kubernetes=kubernetes)
    return run_preview(config, validate(config))


def test_dev_without_an_oidc_provider_warns_and_delivers_nothing(dev_without_oidc):
    assert [w for w in dev_without_oidc.warnings if "oidcProviderArn" in w and "objectos-env" in w]
    assert not [r for r in dev_without_oidc.result.resources if r.type.startswith("kubernetes:external-secrets.io")]


def test_dev_without_an_oidc_provider_is_not_deployable(dev_without_oidc):
    """Nothing produces the Secret the pods require: `pulumi up` would fail, so dev is NOT READY too."""
    blocking = [c for c in dev_without_oidc.mandatory_failures if c.id == "pods-can-start"]
    assert {c.resource.rsplit("::", 1)[1] for c in blocking} == {"objectos-migrate", "objectos-deployment"}
    assert all("Secret 'objectos-env'" in c.reason and "ExternalSecret" in c.reason for c in blocking)
    assert dev_without_oidc.exit_code == 1


def test_the_shipped_dev_stack_delivers_its_secrets_and_is_deployable(previews):
    dev = previews("dev")
    assert [r for r in dev.result.resources if r.type.endswith(":ExternalSecret")]
    assert not [c for c in dev.checks if c.id == "pods-can-start" and c.status != "pass"]
    assert dev.exit_code == 0


# --- settings rules ------------------------------------------------------------------


def problem_keys(stack: str, **changes: Any) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        stack_settings(stack, **changes)
    return {issue.key: issue.message for issue in caught.value.issues}


def test_prod_must_name_its_secret_administrators():
    secrets = {"recoveryWindowDays": 30, "providerKeys": []}
    found = problem_keys("prod", secrets=secrets)
    assert "pulumi up" in found["objectos:secrets.adminRoleArns"]


def test_an_admin_pattern_matching_every_role_is_refused():
    secrets = {"adminRoleArns": [f"arn:aws:iam::{ACCOUNT}:role/*"]}
    assert "every role" in problem_keys("dev", secrets=secrets)["objectos:secrets.adminRoleArns[0]"]


def test_an_admin_role_of_another_account_is_refused():
    secrets = {"adminRoleArns": ["arn:aws:iam::999999999999:role/admin"]}
    assert "123456789012" in problem_keys("dev", secrets=secrets)["objectos:secrets.adminRoleArns[0]"]


def test_a_secret_value_for_no_entry_suggests_the_nearest_name():
    message = problem_keys("dev", secretValues={"OS_DATABSE_URL": Secure("x")})["objectos:secretValues.OS_DATABSE_URL"]
    assert "OS_DATABASE_URL" in message and "providerKeys" in message


def test_values_the_kit_writes_cannot_be_given():
    found = problem_keys("dev", secretValues={"OS_REDIS_URL": Secure("x")})
    assert "remove it" in found["objectos:secretValues.OS_REDIS_URL"]


def test_a_provider_key_may_not_reuse_a_kit_name():
    secrets = {"providerKeys": ["OS_AUTH_SECRET"]}
    assert "kit defines" in problem_keys("dev", secrets=secrets)["objectos:secrets.providerKeys[0]"]


def test_a_given_master_key_replaces_the_generated_one():
    settings = stack_settings("dev", secretValues={"OS_SECRET_KEY": Secure("ab" * 32)})
    assert by_env(adapters.secret_entries(settings))["OS_SECRET_KEY"].source == "given"


# --- planted values never reach the plan or the summary -------------------------------

PLANTED = {
    "OS_DATABASE_URL": "postgres://objectos:planted-db-pass-5e1f@db.internal/objectos",
    "OS_CLOUD_API_KEY": "planted-cloud-key-8a2d41",
    "OS_SECRET_KEY": "c0ffee" * 10 + "beef",
    "SMTP_PASSWORD": "planted-smtp-pass-77b3",
}


@pytest.fixture(scope="module")
def planted():
    config, secret_keys = stack_config("prod").engine_config()
    config["objectos:secretValues"] = json.dumps(PLANTED)
    engine = from_engine("prod", config, set(secret_keys) | {"objectos:secretValues"})
    preview = run_preview(engine, validate(engine))
    out = io.StringIO()
    print_summary(preview, out)
    return preview, json.dumps(preview.plan.to_json()), out.getvalue()


def generated_values(preview) -> list[str]:
    found = []
    for registration in preview.result.resources:
        for key in ("secretString", "authToken"):
            value = registration.inputs.get(key)
            if isinstance(value, Secret) and value.value not in PLANTED.values():
                found.append(value.value)
    return found


def unmarked(value: Any, texts: list[str]) -> Iterator[str]:
    """Texts that occur in `value` outside a Secret marker."""
    if isinstance(value, Secret):
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from unmarked(item, texts)
    elif isinstance(value, list):
        for item in value:
            yield from unmarked(item, texts)
    elif isinstance(value, str):
        yield from (text for text in texts if text in value)


def test_the_run_generated_and_wrote_the_planted_values(planted):
    preview, _, _ = planted
    written = [r.inputs["secretString"].value for r in preview.result.resources if r.type == VERSION]
    assert set(PLANTED.values()) <= set(written)
    assert len(generated_values(preview)) >= 4  # auth secret, redis token (twice: entry and group), redis url


def test_planted_and_generated_values_are_not_in_the_json_plan(planted):
    preview, plan, _ = planted
    assert not [v for v in [*PLANTED.values(), *generated_values(preview)] if v in plan]


def test_planted_and_generated_values_are_not_in_the_printed_summary(planted):
    preview, _, summary = planted
    assert not [v for v in [*PLANTED.values(), *generated_values(preview)] if v in summary]


def test_every_recorded_occurrence_of_a_secret_is_marked_secret(planted):
    preview, _, _ = planted
    texts = [*PLANTED.values(), *generated_values(preview)]
    leaks = [(r.name, text) for r in preview.result.resources for text in unmarked(r.inputs, texts)]
    assert leaks == []
    assert find_leaks(preview.result, secret_texts(preview.result, PLANTED.values())) == []
