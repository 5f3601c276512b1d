"""The server container's env as the runtime would see it, from the offline preview's graph.

Pure: it reads the recorded Deployment (the pods labelled `objectos.dev/role: server`),
lays the image's own presets under the container's env, as Kubernetes does, and
resolves what only exists in the cloud: each secretKeyRef the kit generates gets a
fresh local value made the way the kit makes it (components/secret_catalog.py), and
the URLs of the database, Redis and the artifact point at local stand-ins. An
optional secretKeyRef whose key the operator fills out of band stays unset, as in a
pod whose Secret lacks that key.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from components import secret_catalog as catalog
from testing.mocks import Registration, Secret, Unknown

DEPLOYMENT_TYPE = "kubernetes:apps/v1:Deployment"
ROLE_LABEL, SERVER_ROLE = "objectos.dev/role", "server"
PORT, ARTIFACT_URL, CLOUD_URL = "OS_PORT", "OS_ARTIFACT_URL", "OS_CLOUD_URL"
URL_VARS = frozenset({catalog.DATABASE_URL, catalog.REDIS_URL, ARTIFACT_URL})

IMAGE_ENV = {"NODE_ENV": "production", PORT: "8080"}
"""What the open image presets (its Dockerfile's ENV), under the container's env. Its
OS_ARTIFACT_PATH preset names a baked-in artifact; the kit always sets OS_ARTIFACT_URL."""

GENERATED = {catalog.AUTH_SECRET: catalog.AUTH_SECRET_SPEC, catalog.SECRET_KEY: catalog.SECRET_KEY_SPEC}
"""The secrets the kit generates, with how (OS_SECRET_KEY: 32 bytes as 64 hex characters)."""


class RehearsalEnvError(Exception):
    """The graph has no env the rehearsal can give the runtime; the message says why and what to do."""


@dataclass(frozen=True)
class StandIns:
    """The local things that stand in for the stack's cloud resources."""

    port: int
    """Loopback port the runtime listens on (the container's 8080)."""
    database_url: str = "memory://"
    """OS_DATABASE_URL: `memory://` (a sqlite `file:` URL needs better-sqlite3 built for Node 22)."""
    redis_url: Optional[str] = None
    """OS_REDIS_URL: a local Redis; None leaves it unset (nothing local listens yet)."""
    artifact_url: Optional[str] = None
    """OS_ARTIFACT_URL: a local copy (file:// or loopback http) with its pin; None boots without an app."""
    cloud_url: str = "off"
    """OS_CLOUD_URL where the Deployment leaves it unset (the runtime would call its vendor's cloud)."""


@dataclass(frozen=True)
class RuntimeEnv:
    """The env one runtime process gets, and what in it differs from the cloud."""

    deployment: str
    """URN of the Deployment it was read from."""
    image: str
    env: dict[str, str] = field(repr=False)  # secret values: never in a repr or a test failure
    secret_vars: frozenset[str]
    """Vars the Deployment reads from a Secret: generated here, or a stand-in URL."""
    replaced: dict[str, str] = field(default_factory=dict)
    """Var -> what stands in for the cloud's value (no secret values in it)."""
    unset: tuple[str, ...] = ()
    """Optional secretKeyRefs left unset: the operator fills them out of band."""

    @property
    def secret_values(self) -> list[str]:
        """What must never be printed: the generated values and the credentials inside stand-in URLs."""
        found = []
        for var in sorted(self.secret_vars):
            value = self.env.get(var, "")
            found.append(_credential(value) if var in self.stand_in_vars else value)
        return [value for value in found if value]

    @property
    def stand_in_vars(self) -> frozenset[str]:
        return frozenset(var for var in self.replaced if var in URL_VARS)

    def describe(self) -> list[str]:
        """Lines for the rehearsal's report: what is local, and no secret value."""
        lines = [f"{var}: {what}" for var, what in sorted(self.replaced.items())]
        lines += [f"{var}: unset (optional, filled out of band in the cloud)" for var in self.unset]
        return lines


def generate(spec: catalog.SecretGenerator) -> str:
    """A fresh value of the strength and shape the kit generates in the cloud."""
    if spec.encoding == catalog.Encoding.HEX:
        return secrets.token_hex(spec.length)
    if spec.encoding == catalog.Encoding.BASE64:
        import base64

        return base64.b64encode(secrets.token_bytes(spec.length)).decode()
    return "".join(secrets.choice(spec.alphabet) for _ in range(spec.length))


def server_deployment(resources: Sequence[Registration]) -> Registration:
    """The one Deployment whose pods are the runtime's servers."""
    found = [
        r
        for r in resources
        if r.type == DEPLOYMENT_TYPE
        and _get(r.inputs, "spec", "template", "metadata", "labels", ROLE_LABEL) == SERVER_ROLE
    ]
    if len(found) != 1:
        names = ", ".join(r.name for r in found) or "none"
        raise RehearsalEnvError(
            f"the graph has {len(found)} Deployments labelled {ROLE_LABEL}={SERVER_ROLE} ({names}); "
            "the rehearsal needs exactly one (the ObjectOsWorkload's)"
        )
    return found[0]


def server_env(
    resources: Sequence[Registration],
    stand_ins: StandIns,
    make_secret: Callable[[catalog.SecretGenerator], str] = generate,
) -> RuntimeEnv:
    """The server container's env with every cloud-only value resolved locally."""
    deployment = server_deployment(resources)
    container = server_container(deployment)
    if container.get("envFrom"):
        raise RehearsalEnvError(
            f"{deployment.name}: container '{container.get('name')}' uses envFrom; the rehearsal reads env entries only"
        )
    urls = {
        catalog.DATABASE_URL: ("local database", stand_ins.database_url),
        catalog.REDIS_URL: ("local Redis", stand_ins.redis_url),
        ARTIFACT_URL: ("local copy of the artifact", stand_ins.artifact_url),
    }
    env = dict(IMAGE_ENV)
    secret_vars: set[str] = set()
    replaced: dict[str, str] = {}
    unset: list[str] = []
    for index, entry in enumerate(container.get("env") or []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise RehearsalEnvError(f"{deployment.name}: env[{index}] has no name")
        ref = _get(entry, "valueFrom", "secretKeyRef")
        if name in urls:
            what, local = urls[name]
            if local is None:
                env.pop(name, None)
                replaced[name] = f"unset: no {what} in this rehearsal"
            else:
                env[name] = local
                replaced[name] = f"{what} ({_display(local)})"
            if ref is not None:
                secret_vars.add(name)
        elif ref is not None:
            spec = GENERATED.get(name)
            if spec is not None:
                env[name] = make_secret(spec)
                secret_vars.add(name)
                replaced[name] = f"generated locally ({_strength(spec)})"
            elif ref.get("optional"):
                env.pop(name, None)
                unset.append(name)
            else:
                raise RehearsalEnvError(
                    f"{deployment.name}: {name} comes from Secret {ref.get('name')} key {ref.get('key')}, which the "
                    "rehearsal can neither generate nor stand in for; make it optional or give it a stand-in"
                )
        elif "valueFrom" in entry:
            raise RehearsalEnvError(f"{deployment.name}: {name} uses a valueFrom the rehearsal does not resolve")
        else:
            env[name] = _plain(deployment.name, name, entry.get("value", ""))
    env[PORT] = str(stand_ins.port)
    replaced[PORT] = f"loopback port {stand_ins.port} (the container's {env_port(container)})"
    if CLOUD_URL not in env:
        env[CLOUD_URL] = stand_ins.cloud_url
        replaced[CLOUD_URL] = (
            f"{stand_ins.cloud_url} (unset in the Deployment: the runtime would call its vendor's cloud)"
        )
    return RuntimeEnv(
        deployment.urn, str(container.get("image", "")), env, frozenset(secret_vars), replaced, tuple(unset)
    )


def env_port(container: Mapping[str, Any]) -> str:
    for entry in container.get("env") or []:
        if isinstance(entry, dict) and entry.get("name") == PORT:
            return str(entry.get("value"))
    return IMAGE_ENV[PORT]


def server_container(deployment: Registration) -> dict[str, Any]:
    containers = _get(deployment.inputs, "spec", "template", "spec", "containers") or []
    name = _get(deployment.inputs, "metadata", "name")
    if len(containers) == 1:
        return containers[0]
    named = [c for c in containers if isinstance(c, dict) and c.get("name") == name]
    if len(named) != 1:
        raise RehearsalEnvError(
            f"{deployment.name}: {len(containers)} containers and none named '{name}'; "
            "the rehearsal runs the container named like the Deployment"
        )
    return named[0]


def _plain(deployment: str, name: str, value: Any) -> str:
    if isinstance(value, Secret):
        value = value.value
    if isinstance(value, Unknown):
        raise RehearsalEnvError(f"{deployment}: {name} is only known after deployment; the rehearsal needs its value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _strength(spec: catalog.SecretGenerator) -> str:
    if spec.encoding == catalog.Encoding.TEXT:
        return f"{spec.length} characters"
    return f"{spec.length} random bytes as {spec.encoding}"


def _display(url: str) -> str:
    """A URL without credentials or its pin's long hex: the report's view of a stand-in."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def _credential(url: str) -> str:
    """The password (or token) inside a URL's user info, '' without one."""
    _, sep, rest = url.partition("://")
    authority = rest.split("/", 1)[0]
    if not sep or "@" not in authority:
        return ""
    userinfo = authority.rsplit("@", 1)[0]
    return userinfo.split(":", 1)[1] if ":" in userinfo else userinfo


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
