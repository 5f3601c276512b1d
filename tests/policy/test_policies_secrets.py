"""Secret policies: OS_AUTH_SECRET in the store, and nothing baked into manifests."""

from __future__ import annotations

from policy.policies.secrets import auth_secret_in_secret_store, no_baked_secrets
from tests.policykit import Stack, resource_args, violations

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PASSWORD = "random:index/randomPassword:RandomPassword"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
K8S_SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SSM = "aws:ssm/parameter:Parameter"
BY_REFERENCE = {"valueFrom": {"secretKeyRef": {"name": "objectos-env", "key": "OS_AUTH_SECRET"}}}


def workload(env: list[dict]) -> dict:
    return {"spec": {"template": {"spec": {"containers": [{"name": "objectos", "image": "img", "env": env}]}}}}


def runtime_env(auth: dict | None = BY_REFERENCE, **plain: str) -> list[dict]:
    env = [{"name": "OS_PORT", "value": "8080"}] + [{"name": k, "value": v} for k, v in plain.items()]
    if auth is not None:
        env.append({"name": "OS_AUTH_SECRET", **auth})
    return env


def secret_store(length: int = 64, generated: bool = True, key: bool = True, env: list[dict] | None = None) -> Stack:
    stack = Stack()
    entry = stack.add(
        SECRET, "auth-secret", {"name": "objectos/prod/OS_AUTH_SECRET", **({"kmsKeyId": "arn:key"} if key else {})}
    )
    password = stack.add(PASSWORD, "auth-secret-generated", {"length": length, "special": False})
    stack.add(
        VERSION,
        "auth-secret-value",
        {"secretString": "x"},
        props_from={"secretId": [entry], "secretString": [password] if generated else []},
    )
    stack.add(DEPLOYMENT, "objectos", workload(env if env is not None else runtime_env()))
    return stack


# --- auth-secret-in-secret-store ---------------------------------------------------------------


def test_auth_secret_passes_a_generated_secret_delivered_by_reference():
    assert violations(auth_secret_in_secret_store, secret_store().args()) == []


def test_auth_secret_fails_a_literal_in_the_deployment():
    stack = secret_store(env=runtime_env(auth={"value": "hunter2hunter2"}))
    assert any("as a literal" in v for v in violations(auth_secret_in_secret_store, stack.args()))


def test_auth_secret_fails_a_server_without_it():
    stack = secret_store(env=runtime_env(auth=None))
    assert any("silently skips /api/v1/auth" in v for v in violations(auth_secret_in_secret_store, stack.args()))


def test_auth_secret_fails_a_short_generated_value():
    found = violations(auth_secret_in_secret_store, secret_store(length=16).args())
    assert len(found) == 1 and "16 characters" in found[0]


def test_auth_secret_fails_a_value_written_in_the_program():
    assert any(
        "not a generated one" in v
        for v in violations(auth_secret_in_secret_store, secret_store(generated=False).args())
    )


def test_auth_secret_fails_the_aws_managed_key():
    assert any("kmsKeyId" in v for v in violations(auth_secret_in_secret_store, secret_store(key=False).args()))


def test_auth_secret_fails_without_a_secrets_manager_entry():
    stack = Stack()
    stack.add(DEPLOYMENT, "objectos", workload(runtime_env()))
    assert any("no Secrets Manager entry" in v for v in violations(auth_secret_in_secret_store, stack.args()))


# --- no-baked-secrets ---------------------------------------------------------------------------


def test_no_baked_secrets_passes_secrets_by_reference():
    env = runtime_env(OS_ARTIFACT_URL="https://artifacts.example.com/a.json#sha256=" + "a" * 64)
    env.append(
        {"name": "OS_DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "objectos-env", "key": "OS_DATABASE_URL"}}}
    )
    assert violations(no_baked_secrets, resource_args(DEPLOYMENT, workload(env))) == []


def test_no_baked_secrets_fails_a_literal_database_url():
    env = runtime_env(OS_DATABASE_URL="postgres://app@db:5432/objectos")
    assert any("OS_DATABASE_URL" in v for v in violations(no_baked_secrets, resource_args(JOB, workload(env))))


def test_no_baked_secrets_fails_a_credential_inside_a_url():
    env = runtime_env(OS_ARTIFACT_URL="https://artifacts.example.com/a.json?token=abc#sha256=" + "a" * 64)
    found = violations(no_baked_secrets, resource_args(DEPLOYMENT, workload(env)))
    assert len(found) == 1 and "OS_ARTIFACT_URL" in found[0]


def test_no_baked_secrets_does_not_mistake_cors_credentials_for_a_secret():
    env = runtime_env(OS_CORS_CREDENTIALS="true")
    assert violations(no_baked_secrets, resource_args(DEPLOYMENT, workload(env))) == []


def test_no_baked_secrets_fails_a_kubernetes_secret_with_data():
    props = {"metadata": {"name": "objectos-env"}, "stringData": {"OS_AUTH_SECRET": "hunter2"}}
    assert violations(no_baked_secrets, resource_args(K8S_SECRET, props))


def test_no_baked_secrets_passes_an_empty_kubernetes_secret():
    assert violations(no_baked_secrets, resource_args(K8S_SECRET, {"metadata": {"name": "placeholder"}})) == []


def test_no_baked_secrets_fails_a_secret_looking_config_map_key():
    assert violations(no_baked_secrets, resource_args(CONFIG_MAP, {"data": {"SMTP_PASSWORD": "hunter2"}}))


def test_no_baked_secrets_fails_a_plain_ssm_parameter_named_as_a_secret():
    props = {"name": "/objectos/prod/api-token", "type": "String", "value": "abc"}
    assert violations(no_baked_secrets, resource_args(SSM, props))


def test_no_baked_secrets_passes_a_plain_release_record():
    props = {"name": "/objectos/prod/release", "type": "String", "insecureValue": "{}"}
    assert violations(no_baked_secrets, resource_args(SSM, props)) == []
