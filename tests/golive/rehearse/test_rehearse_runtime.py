"""The kit's env against the real open runtime (@objectstack/cli, as the image runs it), on loopback.

Needs `make runtime`; without it the tests skip, and fail under CI=true. Each boot takes
about 20-30 s, so there are few: the runtime's defaults, the dev stack's declared env (kept
for the module), a wrong artifact pin and prod's cluster, each refused.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.rehearse import artifacts
from golive.rehearse.env import RuntimeEnv, StandIns, server_env
from golive.rehearse.install import Installation, installation, missing
from golive.rehearse.runtime import (
    PROCESS_VARS,
    BootFailed,
    Runtime,
    compile_artifact,
    free_port,
    group_alive,
    members,
    pinned_file_url,
    started,
)

EVIL = "https://evil.example.com"
DEV_ORIGIN = "https://dev.example.com"
APP = artifacts.APP


def require(reason: str | None) -> None:
    """Skip with the reason, or fail under CI=true so the rehearsal cannot silently vanish."""
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"the rehearsal's runtime tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def runtime() -> Installation:
    require(missing())
    return installation()


@pytest.fixture(scope="module")
def app_artifact(runtime: Installation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rehearsal app (golive/rehearse/app) compiled by the runtime's own `os compile`."""
    project = tmp_path_factory.mktemp("rehearsal-app")
    shutil.copy(APP / "objectstack.config.ts", project)
    return compile_artifact(runtime, project)


def preflight(runtime: Runtime, origin: str) -> dict[str, str]:
    _, headers = runtime.request(
        "OPTIONS", "/api/v1/data/sys_user", {"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    return headers


def declared_env(previews, stack: str, artifact_url: str, redis_url: str | None = None) -> RuntimeEnv:
    stand_ins = StandIns(port=free_port(), artifact_url=artifact_url, redis_url=redis_url)
    return server_env(previews(stack).result.resources, stand_ins)


@pytest.fixture(scope="module")
def dev(runtime: Installation, app_artifact: Path, previews) -> Iterator[tuple[Runtime, RuntimeEnv]]:
    """The dev stack's server env, its artifact pinned, booted once for the module."""
    env = declared_env(previews, "dev", pinned_file_url(app_artifact))
    with started(runtime, env.env, secret_values=env.secret_values) as process:
        process.wait_ready()
        yield process, env


def test_the_runtimes_defaults_reflect_any_origin_with_credentials(runtime):
    """The hazard the checklist names (cors-explicit): a deployment must set OS_CORS_ORIGIN."""
    with started(runtime, {"OS_DATABASE_URL": "memory://", "OS_CLOUD_URL": "off"}) as process:
        process.wait_ready()
        headers = preflight(process, EVIL)
    assert headers.get("access-control-allow-origin") == EVIL
    assert headers.get("access-control-allow-credentials") == "true"


def test_the_dev_stacks_declared_cors_refuses_any_other_origin(dev):
    process, _ = dev
    assert preflight(process, EVIL).get("access-control-allow-origin") not in (EVIL, "*")


def test_the_dev_stacks_declared_origin_is_allowed_with_credentials(dev):
    process, _ = dev
    headers = preflight(process, DEV_ORIGIN)
    assert headers.get("access-control-allow-origin") == DEV_ORIGIN
    assert headers.get("access-control-allow-credentials") == "true"


def test_the_runtime_gets_exactly_the_declared_env(dev):
    process, env = dev
    environ = Path(f"/proc/{process.process.pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert names == set(env.env) | set(PROCESS_VARS)


def test_a_right_artifact_pin_boots_the_app(dev):
    process, _ = dev
    assert "[file, sha256 verified]" in process.log()
    assert process.wait_log("Press Ctrl+C to stop"), "the boot summary, which follows readiness, is complete"
    assert "rehearsal" in process.log().split("Plugins:", 1)[1]


def test_the_surfaced_log_holds_no_secret_value(dev):
    process, env = dev
    log, held = process.log(), len(env.secret_values)
    leaked = sum(value in log for value in env.secret_values)  # a count: a failure must not print them either
    assert held >= 2 and leaked == 0


def test_a_wrong_artifact_pin_refuses_boot(runtime, app_artifact, previews):
    env = declared_env(previews, "dev", pinned_file_url(app_artifact, sha256="0" * 64))
    with started(runtime, env.env, secret_values=env.secret_values) as process:
        with pytest.raises(BootFailed) as refused:
            process.wait_ready()
        group = process.process.pid
    assert refused.value.exit_code not in (None, 0)
    assert "Integrity check FAILED" in refused.value.log
    assert not group_alive(group), "teardown leaves nothing running"


@pytest.fixture
def redis() -> Iterator[str]:
    """A local Redis with AUTH on loopback (TLS comes with the rehearsal's edge)."""
    require(None if shutil.which("redis-server") else "redis-server is not installed (Debian package redis-server)")
    port, password = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--requirepass", password],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield f"redis://:{password}@127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_open_edition_refuses_prods_three_replicas(runtime, app_artifact, previews, redis):
    """Why the kit refuses that topology for the open edition (runtime-edition-topology)."""
    env = declared_env(previews, "prod", pinned_file_url(app_artifact), redis_url=redis)
    assert (env.env["OS_CLUSTER_DRIVER"], env.env["OS_CLUSTER_REPLICAS"]) == ("redis", "3")
    with started(runtime, env.env, secret_values=env.secret_values) as process:
        with pytest.raises(BootFailed) as refused:
            process.wait_ready()
    assert refused.value.exit_code not in (None, 0)
    assert "multi-node not authorized" in refused.value.log
    assert "multi-node deployment declared" in refused.value.log
    password_shown = redis.split("@")[0].split(":")[-1] in refused.value.log
    assert not password_shown, "the Redis password is redacted"


def test_teardown_ends_a_booting_runtime_when_the_caller_fails(runtime):
    with (
        pytest.raises(RuntimeError),
        started(runtime, {"OS_DATABASE_URL": "memory://", "OS_CLOUD_URL": "off"}) as process,
    ):
        group = process.process.pid
        while len(members(group)) < 2 and process.running():  # `start` has spawned its `serve` child
            time.sleep(0.2)
        raise RuntimeError("the caller failed mid-boot")
    assert not group_alive(group)
