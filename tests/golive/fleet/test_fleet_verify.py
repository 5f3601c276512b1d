"""`golive verify` over many deployed stacks: real nginx on loopback, one row per stack."""

from __future__ import annotations

import io
import json
import shutil
import socket
import threading

import pytest

from golive.fleet import verify as fleet_verify
from tests.verify_servers import Site, make_pki, needs_nginx, nginx


def _write(path, text):
    path.write_text(text)
    return path


def test_the_fleet_file_is_read_with_paths_beside_it(tmp_path):
    fleet = _write(
        tmp_path / "fleet.yaml",
        "stacks:\n  - stack: prod\n    url: https://a.example.com\n    ca-file: ca.pem\n"
        "  - stack: staging\n    url: https://b.example.com\n    access: probes.yaml\n",
    )
    prod, staging = fleet_verify.load_fleet(fleet)
    assert (prod.stack, prod.url, prod.ca_file) == ("prod", "https://a.example.com", tmp_path / "ca.pem")
    assert staging.access == tmp_path / "probes.yaml"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("stacks:\n  - stack: prod\n    utl: https://a\n", "unknown key(s) utl"),
        ("stacks:\n  - stack: prod\n", "'url' is missing"),
        ("stacks:\n  - stack: prod\n    url: https://a\n  - stack: prod\n    url: https://b\n", "listed twice"),
        ("stacks:\n  - stack: ../prod\n    url: https://a\n", "stack '../prod'"),
        ("- stack: prod\n", "a 'stacks' list"),
        ("stacks: []\n", "no stack to verify"),
    ],
)
def test_a_bad_fleet_file_names_the_entry_and_key(tmp_path, text, named):
    with pytest.raises(fleet_verify.FleetFileError, match=None) as raised:
        fleet_verify.load_fleet(_write(tmp_path / "fleet.yaml", text))
    assert named in str(raised.value)


def test_repeated_options_pair_each_stack_with_its_url():
    with pytest.raises(fleet_verify.FleetFileError, match="one --url after each --stack"):
        fleet_verify.from_options(["a", "b"], ["https://a"])
    assert [t.url for t in fleet_verify.from_options(["a", "b"], ["https://a", "https://b"])] == [
        "https://a",
        "https://b",
    ]


@pytest.fixture
def silent_server():
    """A TLS port that accepts and never answers: a host that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@needs_nginx
@pytest.mark.nginx
def test_a_fleet_against_nginx_gives_each_host_its_own_verdict(tmp_path, silent_server):
    pytest.importorskip("program.adapters")
    from golive.verify import command
    from tests.conftest import STACKS, stack_settings

    stacks = tmp_path / "stacks"
    stacks.mkdir()
    for name in ("good", "wild", "hangs"):
        shutil.copy(STACKS / "Pulumi.prod.yaml", stacks / f"Pulumi.{name}.yaml")
    _, expected = command.promised_headers(stack_settings("prod"))
    pki = make_pki(tmp_path / "pki")
    keeps = Site(headers=dict(expected.headers), hsts=expected.hsts)
    breaks = Site(headers=dict(expected.headers), hsts=expected.hsts, cors="wildcard")
    out_dir, printed = tmp_path / "out", io.StringIO()
    with nginx(keeps, pki, tmp_path / "a") as good, nginx(breaks, pki, tmp_path / "b") as wild:
        targets = [
            fleet_verify.Target("good", good.https_url, good.http_url),
            fleet_verify.Target("wild", wild.https_url, wild.http_url),
            fleet_verify.Target("hangs", silent_server),
        ]
        shared = fleet_verify.Shared(ca_file=pki.ca_file, stacks_dir=stacks)
        code = fleet_verify.main(targets, shared, jobs=3, timeout=60, out_dir=out_dir, out=printed)
    rows = {r["stack"]: r for r in json.loads((out_dir / fleet_verify.FLEET_FILE).read_text())["stacks"]}
    assert rows["good"]["verdict"] == "PASS", rows["good"]
    assert rows["wild"]["verdict"] == "FAIL"
    assert any(b["rule"].startswith("cors-explicit-origins") for b in rows["wild"]["blocking"])
    assert rows["hangs"]["exitCode"] != 0
    assert code == max(r["exitCode"] for r in rows.values())
    assert json.loads((out_dir / "verify-wild.json").read_text())["stack"] == "wild"
    assert (out_dir / "verify-good.junit.xml").read_text().startswith("<?xml")
    assert "wild: FAIL cors-explicit-origins" in printed.getvalue()


def test_a_host_past_its_timeout_is_a_row_that_says_so(tmp_path, silent_server):
    targets = [fleet_verify.Target("prod", silent_server)]
    code = fleet_verify.main(targets, jobs=1, timeout=1, out=io.StringIO())
    assert code == 2
