"""Two owners on the real open runtime, and the kit's access probes between them.

The runtime parts need `make runtime`; without it they skip, and fail under CI=true. Two
boots for the module (the rehearsal app as shipped, and with its read scope widened to the
whole organization) and one `os verify --rls`; the rest is pure.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.rehearse import artifacts, tenancy
from golive.rehearse.env import StandIns, server_env
from golive.rehearse.install import Installation, installation, missing
from golive.rehearse.runtime import Runtime, compile_artifact, free_port, pinned_file_url, started
from golive.results import Status
from golive.verify import access
from golive.verify.http import HttpProbe
from tests.golive.rehearse.test_rehearse_runtime import require

APP = artifacts.APP
SHIPPED_SCOPE = "readScope: 'own', writeScope: 'own' } },\n    },\n    {"
WIDENED_SCOPE = "readScope: 'org', writeScope: 'own' } },\n    },\n    {"
CROSS_OWNER_READS = ("A reads B's record by id", "A lists B's records by filter", "A queries B's records")


def app_project(folder: Path, widen_read_to_org: bool = False) -> Path:
    """The rehearsal app's source; widened, its member baseline reads every note of the organization."""
    folder.mkdir(parents=True, exist_ok=True)
    source = (APP / "objectstack.config.ts").read_text(encoding="utf-8")
    if widen_read_to_org:
        assert source.count(SHIPPED_SCOPE) == 1, "the member baseline's scope moved: update SHIPPED_SCOPE"
        source = source.replace(SHIPPED_SCOPE, WIDENED_SCOPE)
    (folder / "objectstack.config.ts").write_text(source, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def runtime() -> Installation:
    require(missing())
    return installation()


def rehearse(runtime: Installation, project: Path, previews) -> Iterator[tuple[Runtime, tenancy.Owners, dict]]:
    """The dev stack's declared env on the app compiled from `project`: owners seeded, probes run once."""
    artifact = compile_artifact(runtime, project)
    stand_ins = StandIns(port=free_port(), database_url=tenancy.DATABASE_URL, artifact_url=pinned_file_url(artifact))
    env = server_env(previews("dev").result.resources, stand_ins)
    with started(runtime, env.env, secret_values=env.secret_values) as process:
        process.wait_ready()
        owners = tenancy.seed(process.url, tenancy.REHEARSAL_OBJECT, grant=tenancy.REHEARSAL_GRANT)
        text, environ = tenancy.probes(owners)
        probe_file = project / "access-probes.yaml"
        probe_file.write_text(text, encoding="utf-8")
        with HttpProbe() as client:
            findings = access.run(access.load(probe_file), client, process.url, environ)
        yield process, owners, {finding.name.removeprefix("access: "): finding for finding in findings}


@pytest.fixture(scope="module")
def shipped(runtime, previews, tmp_path_factory):
    yield from rehearse(runtime, app_project(tmp_path_factory.mktemp("shipped")), previews)


@pytest.fixture(scope="module")
def widened(runtime, previews, tmp_path_factory):
    yield from rehearse(runtime, app_project(tmp_path_factory.mktemp("widened"), widen_read_to_org=True), previews)


def probe_names() -> list[str]:
    text, _ = tenancy.probes(fake_owners())
    return [entry["name"] for entry in json.loads(json.dumps(_yaml_load(text)))["probes"]]


def _yaml_load(text: str):
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def fake_owners() -> tenancy.Owners:
    a = tenancy.Owner("A", "a@rehearsal.example", "user-a", "rec-a", token="token-of-a-123456")
    b = tenancy.Owner("B", "b@rehearsal.example", "user-b", "rec-b", token="token-of-b-654321")
    return tenancy.Owners("http://127.0.0.1:1", "rehearsal_note", a, b, "marker", admin_token="token-of-admin-999")


# --- against the real runtime -------------------------------------------------------------


@pytest.mark.parametrize("name", probe_names())
def test_every_cross_owner_probe_holds_on_the_shipped_app(shipped, name):
    _, _, findings = shipped
    finding = findings[name]
    assert finding.status is Status.PASS, finding.reason


def test_the_two_owners_are_distinct_users_each_owning_one_record(shipped):
    _, owners, _ = shipped
    assert owners.a.user_id != owners.b.user_id
    assert owners.a.record_id != owners.b.record_id
    assert owners.a.token != owners.b.token
    assert owners.granted == tenancy.REHEARSAL_GRANT


def test_self_registration_is_closed_after_the_bootstrap_administrator(shipped):
    process, _, _ = shipped
    with pytest.raises(tenancy.SeedFailed) as refused:
        tenancy.seed(process.url)
    assert refused.value.status == 403
    assert "SELF_REGISTRATION_CLOSED" in str(refused.value)
    assert "fresh database" in str(refused.value), "the error says what to do"


def test_the_runtimes_log_holds_no_owner_token(shipped):
    process, owners, _ = shipped
    log = process.log()
    leaked = sum(token in log for token in owners.secret_values)  # a count: a failure must not print them
    assert leaked == 0


@pytest.mark.parametrize("name", CROSS_OWNER_READS)
def test_a_read_scope_widened_to_the_organization_is_caught(widened, name):
    """The deliberately weakened setting: the member baseline's readScope 'org' lets A read B's note."""
    _, _, findings = widened
    finding = findings[name]
    assert finding.status is Status.FAIL
    assert "leaks" in finding.reason


def test_the_widened_read_scope_still_refuses_cross_owner_writes(widened):
    """writeScope stays 'own': only the reads leak, so the probes name exactly what was weakened."""
    _, _, findings = widened
    assert findings["A updates B's record"].status is Status.PASS
    assert findings["A deletes B's record"].status is Status.PASS


def test_the_runtimes_own_rls_verifier_passes_the_app(runtime, tmp_path):
    outcome = tenancy.rls_check(runtime, app_project(tmp_path / "app"))
    assert outcome.passed, outcome.describe()
    assert ("rehearsal_note", "rls-consistent") in [(obj, status) for obj, status, _ in outcome.results]
    assert outcome.holes == 0


def test_the_runtimes_own_rls_verifier_misses_the_widened_read_scope(runtime, tmp_path):
    """Why the rehearsal runs its own probes: `os verify --rls` proves "no write without read" with
    a persona of its own, so a baseline that lets every member read every note passes it."""
    outcome = tenancy.rls_check(runtime, app_project(tmp_path / "app", widen_read_to_org=True))
    assert outcome.passed and outcome.holes == 0


# --- pure ---------------------------------------------------------------------------------


def test_the_probe_file_loads_and_every_variable_is_in_its_env(tmp_path):
    text, environ = tenancy.probes(fake_owners())
    path = tmp_path / "probes.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = access.load(path)
    assert len(loaded) == len(probe_names())
    assert access.missing_variables(loaded, environ) == []


def test_the_probe_file_holds_no_credential_or_id_value():
    owners = fake_owners()
    text, environ = tenancy.probes(owners)
    assert not any(value in text for value in environ.values())
    assert environ[tenancy.A_TOKEN] == owners.a.token


def test_every_probe_by_a_owner_carries_that_owners_credential():
    """A probe without a credential would pass on a 401 and prove nothing."""
    document = _yaml_load(tenancy.probes(fake_owners())[0])
    for entry in document["probes"]:
        if entry["name"].startswith(("A ", "control - A")):
            assert entry["credential"] == {"env": tenancy.A_TOKEN, "kind": "bearer"}, entry["name"]
        if entry["name"].startswith(("B ", "control - B")):
            assert entry["credential"] == {"env": tenancy.B_TOKEN, "kind": "bearer"}, entry["name"]


def test_reprs_never_show_a_token():
    owners = fake_owners()
    assert not any(token in repr(owners) for token in owners.secret_values)


class _Refusing(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.dumps({"code": "SELF_REGISTRATION_CLOSED", "message": "closed"}).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def test_a_refused_step_is_an_error_naming_the_step_and_status():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(tenancy.SeedFailed) as refused:
            tenancy.seed(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
    message = str(refused.value)
    assert refused.value.status == 403
    assert "sign up the bootstrap administrator" in message and "HTTP 403" in message
    assert "SELF_REGISTRATION_CLOSED" in message


def test_no_answer_is_an_error_naming_the_step():
    with pytest.raises(tenancy.SeedFailed) as refused:
        tenancy.seed(f"http://127.0.0.1:{free_port()}")
    assert refused.value.status is None
    assert "sign up the bootstrap administrator" in str(refused.value) and "no answer" in str(refused.value)


def test_rls_check_without_the_apps_source_says_what_is_missing(tmp_path):
    with pytest.raises(tenancy.RlsCheckFailed, match="objectstack.config.ts does not exist"):
        tenancy.rls_check(Installation(tmp_path), tmp_path)


def test_the_json_report_is_found_after_the_boot_log():
    stdout = "INFO booting\n{ not json\n" + json.dumps({"crud": {}, "hardFailures": 0}, indent=2) + "\n"
    assert tenancy._json_report(stdout) == {"crud": {}, "hardFailures": 0}
    assert tenancy._json_report("INFO nothing\n") is None
