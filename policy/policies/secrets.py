"""Secret policies: OS_AUTH_SECRET in the secret store, and no secret baked into a manifest."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pulumi_policy import ResourceValidationArgs, Severity

from policy.policies._base import OBJECTOS_STACK, Config, Report, resource_policy, stack_policy
from policy.policies._graph import Graph
from policy.policies._k8s import CONFIG_MAP, SECRET, containers, is_workload
from policy.policies._props import UNKNOWN, get, items, text

SM_SECRET = "aws:secretsmanager/secret:Secret"
SM_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
AUTH_SECRET = "OS_AUTH_SECRET"
_AUTH_ENTRY = re.compile(r"(?i)auth[-_]?secret")
SECRET_NAME_PATTERN = (
    r"(^|_)(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY)(_|$)|(DATABASE|REDIS)_URL$"
)
_QUERY_CREDENTIAL = re.compile(
    r"(?i)^(token|access_token|api_?key|key|secret|password|passwd|sig|signature|x-amz-signature|x-amz-credential)$"
)
SERVER_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")


# --- auth-secret-in-secret-store -------------------------------------------------------


def _auth_secret(graph: Graph, config: Config, report: Report) -> None:
    for resource in graph.resources:
        if is_workload(resource.resource_type):
            _auth_env(resource, report)
    entries = [s for s in graph.of_type(SM_SECRET) if _is_auth_entry(s)]
    if not entries:
        report.missing(f"no Secrets Manager entry holds {AUTH_SECRET}; let AppSecrets create it")
        return
    for entry in entries:
        if config["requireCustomerManagedKey"] and get(entry.props, "kmsKeyId") is None:
            report(
                f"secret '{_entry_name(entry)}' is encrypted with the AWS managed key; set kmsKeyId to the kit's key",
                entry.urn,
            )
        _generated(graph, entry, int(config["minimumLength"]), report)


def _auth_env(resource: Any, report: Report) -> None:
    for container in containers(resource.resource_type, resource.props):
        if not container.runs_objectos:
            continue
        if AUTH_SECRET not in container.env:
            if resource.resource_type in SERVER_TYPES:
                report(
                    f"container '{container.name}' has no {AUTH_SECRET}: the runtime then silently skips /api/v1/auth/*",
                    resource.urn,
                )
        elif container.by_reference(AUTH_SECRET) and not container.from_secret_store(AUTH_SECRET):
            report(
                f"container '{container.name}' takes {AUTH_SECRET} from a ConfigMap or a field, not a secret store; "
                "deliver it by secretKeyRef",
                resource.urn,
            )
        elif not container.by_reference(AUTH_SECRET):
            report(
                f"container '{container.name}' sets {AUTH_SECRET} as a literal; deliver it by secretKeyRef",
                resource.urn,
            )


def _generated(graph: Graph, entry: Any, minimum: int, report: Report) -> None:
    versions = graph.dependents(entry, [SM_VERSION], "secretId")
    name = _entry_name(entry)
    if not versions:
        report(
            f"secret '{name}' gets no value from the stack; let AppSecrets generate it with a RandomPassword", entry.urn
        )
    for version in versions:
        passwords = graph.reaches(version, {RANDOM_PASSWORD}, "secretString")
        if not passwords:
            report(
                f"secret '{name}' holds a value written in the program, not a generated one; generate it with RandomPassword",
                version.urn,
            )
        for password in passwords:
            length = get(password.props, "length")
            if isinstance(length, (int, float)) and length < minimum:
                report(f"secret '{name}' is generated with {length:g} characters; use at least {minimum}", password.urn)


def _is_auth_entry(secret: Any) -> bool:
    return bool(_AUTH_ENTRY.search(_entry_name(secret))) or bool(_AUTH_ENTRY.search(secret.name))


def _entry_name(secret: Any) -> str:
    return text(get(secret.props, "name")) or text(get(secret.props, "namePrefix")) or secret.name


auth_secret_in_secret_store = stack_policy(
    "auth-secret-in-secret-store",
    f"{AUTH_SECRET} must be a generated, long random value kept in Secrets Manager under the kit's KMS key "
    "and reach the runtime by secretKeyRef: without it the runtime silently skips authentication.",
    Severity.CRITICAL,
    _auth_secret,
    kind=OBJECTOS_STACK,
    config={
        "minimumLength": {
            "type": "integer",
            "minimum": 16,
            "default": 32,
            "description": "Shortest generated secret allowed.",
        },
        "requireCustomerManagedKey": {
            "type": "boolean",
            "default": True,
            "description": "Require kmsKeyId on the entry.",
        },
    },
    tags=["secrets", "auth"],
)


# --- no-baked-secrets ------------------------------------------------------------------


def _no_baked(args: ResourceValidationArgs, config: Config, report: Report) -> None:
    secret_name = re.compile(config["secretNamePattern"])
    kind, props = args.resource_type, args.props
    if kind == SECRET:
        written = [k for k in ("data", "stringData") if get(props, k) not in (None, UNKNOWN) and len(get(props, k))]
        if written:
            report(
                f"the program writes secret values into a Kubernetes Secret manifest ({', '.join(written)}); "
                "deliver them from Secrets Manager with an ExternalSecret"
            )
    elif kind == CONFIG_MAP:
        for key, value in items(get(props, "data")):
            if secret_name.search(_words(key)):
                report(f"ConfigMap key '{key}' looks like a secret; keep it in Secrets Manager")
            elif isinstance(value, str) and _credential_in(value):
                report(f"ConfigMap key '{key}' holds a URL with a credential in it")
    elif kind == SSM_PARAMETER:
        name = text(get(props, "name")) or args.name
        if get(props, "type") not in ("SecureString", UNKNOWN) and secret_name.search(_words(name)):
            report(
                f"SSM parameter '{name}' looks like a secret but is stored as plain {get(props, 'type')}; use Secrets Manager"
            )
    else:
        for container in containers(kind, props):
            _container_env(container, secret_name, report)


def _container_env(container: Any, secret_name: re.Pattern, report: Report) -> None:
    for name, value in container.literals():
        if value == "":
            continue
        if secret_name.search(_words(name)):  # a literal, known or not: the manifest carries it
            report(f"container '{container.name}' sets {name} as a literal value; deliver it by secretKeyRef")
        elif (
            report.known(value, f"container '{container.name}' env {name}")
            and isinstance(value, str)
            and _credential_in(value)
        ):
            report(
                f"container '{container.name}' env {name} carries a credential inside a URL; deliver it by secretKeyRef"
            )


def _words(name: str) -> str:
    """A name as the pattern reads it, UPPER_SNAKE: `smtp.password`, `/shop/db/password` and
    `dbPassword` all end in the word PASSWORD."""
    return re.sub(r"[^A-Z0-9]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper())


def _credential_in(value: str) -> bool:
    """A URL with a password in its user info, or a credential in its query string."""
    for word in value.replace(",", " ").split():
        if "://" not in word:
            continue
        parts = urlsplit(word)
        try:
            if parts.password:
                return True
        except ValueError:
            return False
        if any(_QUERY_CREDENTIAL.match(key) for key, _ in parse_qsl(parts.query)):
            return True
    return False


no_baked_secrets = resource_policy(
    "no-baked-secrets",
    "No secret may be written into a manifest, env value, ConfigMap, plain parameter or URL: "
    "secrets live in Secrets Manager and reach pods by secretKeyRef.",
    Severity.CRITICAL,
    _no_baked,
    type_filter=lambda t: t in (SECRET, CONFIG_MAP, SSM_PARAMETER) or is_workload(t),
    config={
        "secretNamePattern": {
            "type": "string",
            "default": SECRET_NAME_PATTERN,
            "description": "Regular expression for names (upper case) that hold secrets.",
        }
    },
    tags=["secrets"],
)

POLICIES = [auth_secret_in_secret_store, no_baked_secrets]
