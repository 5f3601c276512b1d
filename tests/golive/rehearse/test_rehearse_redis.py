"""The Redis stand-in: Debian's redis-server with TLS and AUTH, reached by the runtime's own client.

Needs redis-server (and, for the client checks, `make runtime`); without them the tests
skip, and fail under CI=true.
"""

from __future__ import annotations

import socket
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.secret_catalog import REDIS_TOKEN_SPEC
from golive.rehearse import redis as redis_module
from golive.rehearse.install import Installation, installation
from golive.rehearse.install import missing as runtime_missing
from golive.rehearse.pki import Pki, make_pki
from golive.rehearse.redis import RedisStandIn, client_check, client_checks, started_redis
from golive.rehearse.runtime import group_alive
from tests.golive.rehearse.test_rehearse_runtime import require


@pytest.fixture(scope="module", autouse=True)
def redis_installed() -> None:
    require(redis_module.missing())


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki") / "ca", ["localhost", "127.0.0.1"])


@pytest.fixture(scope="module")
def stand_in(pki) -> Iterator[RedisStandIn]:
    with started_redis(pki) as running:
        yield running


@pytest.fixture(scope="module")
def runtime() -> Installation:
    require(runtime_missing())
    return installation()


def tls_ping(stand_in: RedisStandIn, command: bytes) -> bytes:
    """Raw RESP over TLS, trusting the local CA: what Redis answers before any client library."""
    context = ssl.create_default_context(cafile=str(stand_in.ca_file))
    with socket.create_connection((stand_in.host, stand_in.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=stand_in.host) as tls:
            tls.sendall(command)
            return tls.recv(256)


def test_redis_answers_over_tls_only_after_auth(stand_in):
    assert tls_ping(stand_in, b"PING\r\n").startswith(b"-NOAUTH")
    assert tls_ping(stand_in, f"AUTH {stand_in.password}\r\n".encode()) == b"+OK\r\n"


def test_plain_tcp_gets_no_redis_answer(stand_in):
    with socket.create_connection((stand_in.host, stand_in.port), timeout=5) as raw:
        raw.sendall(b"PING\r\n")
        try:
            answer = raw.recv(64)
        except ConnectionResetError:
            answer = b""
    assert b"PONG" not in answer and b"NOAUTH" not in answer


def test_the_config_opens_no_plain_port_keeps_nothing_on_disk_and_is_private(stand_in):
    conf = stand_in.directory / "redis.conf"
    lines = conf.read_text().splitlines()
    assert "port 0" in lines and f"tls-port {stand_in.port}" in lines
    assert 'save ""' in lines and "appendonly no" in lines
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert not list(stand_in.directory.glob("*.rdb")) and not list(stand_in.directory.glob("*.aof"))


def test_the_password_has_the_kits_auth_token_shape_and_stays_out_of_reprs_and_the_command_line(stand_in):
    assert len(stand_in.password) == REDIS_TOKEN_SPEC.length
    assert set(stand_in.password) <= set(REDIS_TOKEN_SPEC.alphabet)
    assert stand_in.password not in repr(stand_in)
    assert stand_in.password not in stand_in.display_url and stand_in.password in stand_in.url
    command_line = Path(f"/proc/{stand_in.process.pid}/cmdline").read_bytes()
    assert stand_in.password.encode() not in command_line


def test_the_runtimes_client_connects_with_the_url_and_the_wrong_ones_are_refused(runtime, stand_in):
    found = client_checks(runtime, stand_in)
    assert [(c.connected, c.passed) for c in found] == [(True, True), (False, True), (False, True)]
    assert found[0].detail == "PONG"
    assert "WRONGPASS" in found[1].detail
    assert {f.rule for f in (c.finding() for c in found)} == {"redis-encrypted-with-auth"}
    assert {f.status for f in (c.finding() for c in found)} == {"pass"}
    assert all(stand_in.password not in c.detail for c in found)


def test_without_the_local_ca_the_runtimes_client_refuses_the_certificate(runtime, stand_in, tmp_path):
    stranger = make_pki(tmp_path / "stranger", ["127.0.0.1"])
    check = client_check(runtime, stand_in.url, stranger.ca_cert)
    assert not check.connected
    assert "certificate" in check.detail  # NODE_EXTRA_CA_CERTS is what makes Node trust the rehearsal's CA


def test_a_redis_without_auth_fails_the_wrong_password_check(runtime, pki, monkeypatch):
    """The planted fault: requirepass dropped. ioredis then only warns about the password it sent."""
    real = redis_module.config

    def without_auth(*args, **kwargs) -> str:
        return "\n".join(line for line in real(*args, **kwargs).splitlines() if not line.startswith("requirepass"))

    monkeypatch.setattr(redis_module, "config", without_auth)
    with started_redis(pki) as open_redis:
        found = client_checks(runtime, open_redis)
    wrong = found[1]
    assert (wrong.connected, wrong.passed) == (True, False)
    assert wrong.finding().status == "fail" and "Redis must refuse it" in wrong.finding().reason


def test_a_port_taken_before_redis_binds_it_gets_a_new_one(pki):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken, calls = squatter.getsockname()[1], []

        def racing(count: int) -> list[int]:
            calls.append(count)
            return [taken] if len(calls) == 1 else redis_module.proc.free_ports(count)

        with started_redis(pki, ports=racing) as running:
            assert running.port != taken
            assert tls_ping(running, b"PING\r\n").startswith(b"-NOAUTH")
    assert len(calls) == 2


def test_stopping_ends_redis_and_removes_its_folder(pki):
    said: list[str] = []
    with started_redis(pki, progress=said.append) as running:
        group, folder = running.process.pid, running.directory
    assert not group_alive(group) and not folder.exists()
    assert said[0].startswith("starting redis-server ") and "no plain port" in said[1]


def test_a_certificate_without_the_loopback_address_is_refused(tmp_path):
    named_only = make_pki(tmp_path / "ca", ["localhost"])
    with pytest.raises(ValueError, match="must include 127.0.0.1"):
        with started_redis(named_only):
            pass
