"""`golive rehearse` end to end: the real runtime, nginx and Redis on loopback, from a stack's preview.

The shipped prod stack rehearses to PASS through the CLI, as CI runs it; weakened copies of
it (a CORS wildcard in the Deployment's env, a header missing at the edge, a broken artifact
pin, an app whose records every owner may read) each FAIL on the check that names the
weakness, because the real runtime and the real edge behave differently. Needs `make runtime`,
nginx and redis-server; without them the tests skip, and fail under CI=true.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from golive.rehearse import artifacts, command
from golive.rehearse.command import Inputs, Options
from golive.rehearse.install import missing
from golive.rehearse.runtime import group_alive
from golive.results import Status
from objectos_core.headers import HeaderSet
from program.adapters import header_set
from tests.conftest import ROOT
from tests.golive.rehearse.test_rehearse_runtime import require

EVIL = "https://evil.example.com"


@pytest.fixture(scope="module")
def ready() -> None:
    require(missing())
    for binary in ("nginx", "redis-server"):
        found = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin")
        require(None if found else f"{binary} is not installed (tools/system-packages.sh installs it)")


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in document["findings"]}


def leftovers(folder: Path) -> list[str]:
    """Processes still running whose command line or working folder is under `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(folder) in cmdline or cwd.startswith(str(folder)):
            found.append(cmdline[:120])
    return found


@pytest.fixture(scope="module")
def prod_run(ready, tmp_path_factory) -> tuple[int, dict[str, Any], ET.Element, str, str]:
    """`python -m golive rehearse --stack prod`, as CI runs it."""
    out = tmp_path_factory.mktemp("rehearse-prod")
    scratch = out / "tmp"  # its temporary folders, so what it leaves running can be told from others'
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "golive", "rehearse", "--stack", "prod",
         "--json", str(out / "r.json"), "--junit", str(out / "r.xml")],
        cwd=ROOT, capture_output=True, text=True, timeout=900, env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    document = json.loads((out / "r.json").read_text())
    return done.returncode, document, ET.parse(out / "r.xml").getroot(), done.stdout, done.stderr, scratch


def test_the_shipped_prod_stack_rehearses_to_pass(prod_run):
    code, document, junit, stdout, stderr, _ = prod_run
    failing = {f["id"]: f["reason"] for f in document["findings"] if f["status"] == "fail"}
    assert (code, document["verdict"], failing) == (0, "PASS", {}), stderr[-3000:]
    assert junit.get("failures") == "0"
    assert stdout.splitlines()[1].startswith("Verdict: PASS"), "the verdict comes first"


@pytest.mark.parametrize(
    "finding",
    [
        "pods-can-start/declared-env-boots",
        "release-pins-image-and-artifact/pin-verified",
        "release-pins-image-and-artifact/wrong-pin-refused",
        "release-pins-image-and-artifact/release-moves-the-pair",
        "release-pins-image-and-artifact/rollback-moves-the-pair",
        "tls-at-edge/tls-certificate",
        "tls-at-edge/http-redirects-to-https",
        "cors-explicit-origins/cors-preflight-from-an-unlisted-origin",
        "cors-explicit-origins/cors-preflight-from-https",
        "rate-limits-auth-write/rate-limit-on-api-v1-auth",
    ],
)
def test_prod_proves_each_item_on_the_real_runtime(prod_run, finding):
    _, document, *_ = prod_run
    found = [f for f in document["findings"] if f["id"].startswith(finding)]
    assert found, sorted(by_id(document))
    assert all(f["status"] == "pass" for f in found), found


def test_prod_headers_and_hsts_pass_through_the_edge(prod_run):
    _, document, *_ = prod_run
    for rule in ("security-headers-present", "hsts-after-tls"):
        rows = [f for f in document["findings"] if f["rule"] == rule]
        assert rows and all(f["status"] == "pass" for f in rows), rows


def test_prod_cross_owner_probes_all_refused(prod_run):
    _, document, *_ = prod_run
    probes = [f for f in document["findings"] if f["rule"] == "cross-org-access-denied" and f["status"] != "not_judged"]
    assert len(probes) >= 5 and all(f["status"] == "pass" for f in probes), probes


def test_prod_redis_is_reached_over_tls_with_auth_and_refused_otherwise(prod_run):
    _, document, *_ = prod_run
    rows = [
        f for f in document["findings"] if f["rule"] == "redis-encrypted-with-auth" and f["check"] != "aws-resources"
    ]
    assert len(rows) >= 3 and all(f["status"] == "pass" for f in rows), rows


def test_what_the_open_runtime_cannot_prove_is_not_judged_with_its_refusal(prod_run):
    _, document, *_ = prod_run
    found = by_id(document)
    topology = found["runtime-edition-topology/declared-topology-boots"]
    assert topology["status"] == "not_judged" and command.MULTI_NODE_REFUSED in topology["reason"]
    assert found["cross-org-access-denied/organization-walls"]["status"] == "not_judged"
    assert found["release-pins-image-and-artifact/runtime-version"]["status"] == "not_judged"


def test_each_check_where_nginx_is_not_aws_carries_a_fidelity_note(prod_run):
    _, document, *_ = prod_run
    found = by_id(document)
    rate = [f for f in document["findings"] if f["id"].startswith("rate-limits-auth-write/rate-limit-on")]
    assert rate and all(f["fidelity"] for f in rate)
    assert found["tls-at-edge/tls-certificate"]["fidelity"]
    assert document["standIns"], "the report lists what is local"


def test_the_report_holds_no_secret_and_nothing_is_left_running(prod_run):
    _, document, _, stdout, stderr, scratch = prod_run
    text = json.dumps(document) + stdout + stderr
    assert "OS_AUTH_SECRET=" not in text
    assert re.findall(r"rediss://:([^@\s]*)@", text) in ([], ["[redacted]"] * len(re.findall("rediss://:", text)))
    assert leftovers(scratch) == []
    assert list(scratch.iterdir()) == [], "every temporary folder is removed"


# --- weakened stacks fail on the check that names the weakness -------------------------


@pytest.fixture(scope="module")
def prod_inputs(ready, previews) -> Inputs:
    preview = previews("prod")
    return Inputs(preview.settings, list(preview.result.resources), header_set(preview.settings), artifacts.APP)


def weakened_run(inputs: Inputs, check_secrets: bool = False, **options: Any) -> dict[str, Any]:
    choice = Options(stack="prod", release=False, probe_rate_limit=False, refusals=False, **options)
    said: list[str] = []
    outcome = command.rehearse(inputs, choice, progress=said.append)
    assert not any(group_alive(group) for group in outcome.groups), "teardown leaves nothing running"
    if check_secrets:  # the generated secrets, the Redis password, the owners' tokens: in no rendering
        table = io.StringIO()
        command.print_report(outcome, table)
        text = "\n".join([*said, table.getvalue(), command.json_text(outcome), command.junit_text(outcome)])
        held = len(outcome.secret_values)
        leaked = sum(value in text for value in outcome.secret_values)  # a count: a failure must not print them
        assert held >= 5 and leaked == 0
    assert outcome.report.verdict == "FAIL"
    return {f.id: f for f in outcome.report.findings}


def with_env(inputs: Inputs, name: str, value: str) -> Inputs:
    import copy

    resources = copy.deepcopy(inputs.resources)
    deployment = command.env_mod.server_deployment(resources)
    for container in deployment.inputs["spec"]["template"]["spec"]["containers"]:
        for entry in container.get("env") or []:
            if entry.get("name") == name:
                entry["value"] = value
    return dataclasses.replace(inputs, resources=resources)


def test_a_cors_wildcard_in_the_deployment_is_caught_by_the_real_runtime(prod_inputs):
    found = weakened_run(with_env(prod_inputs, "OS_CORS_ORIGIN", "*"), check_secrets=True)
    assert found["cors-explicit-origins/cors-preflight-from-an-unlisted-origin"].status is Status.FAIL
    assert found["pods-can-start/declared-env-boots"].status is Status.PASS


@dataclasses.dataclass(frozen=True)
class WithoutHeader(HeaderSet):
    """A header set whose edge leaves one header out (the settings would refuse an empty value)."""

    dropped: str = "Referrer-Policy"

    def as_map(self) -> dict[str, str]:
        return {name: value for name, value in super().as_map().items() if name != self.dropped}


def test_a_header_missing_at_the_edge_is_caught(prod_inputs):
    fields = {f.name: getattr(prod_inputs.headers, f.name) for f in dataclasses.fields(HeaderSet)}
    weakened = dataclasses.replace(prod_inputs, headers=WithoutHeader(**fields))
    found = weakened_run(weakened)
    failing = [f for f in found.values() if f.rule == "security-headers-present" and f.status is Status.FAIL]
    assert failing and all("Referrer-Policy" in f.reason for f in failing)


def test_a_tenancy_leak_in_the_app_is_caught_by_the_cross_owner_probes(prod_inputs, tmp_path):
    """The app's member baseline widened to read the organization's records: A reads B's record."""
    from tests.golive.rehearse.test_rehearse_tenancy import CROSS_OWNER_READS, app_project

    leaky = app_project(tmp_path / "leaky-app", widen_read_to_org=True)
    found = weakened_run(dataclasses.replace(prod_inputs, app=leaky))
    leaks = {f.name for f in found.values() if f.rule == "cross-org-access-denied" and f.status is Status.FAIL}
    assert {f"access: {name}" for name in CROSS_OWNER_READS} <= leaks
    assert found["pods-can-start/declared-env-boots"].status is Status.PASS


def test_a_broken_artifact_pin_refuses_the_boot(prod_inputs):
    found = weakened_run(dataclasses.replace(prod_inputs, pin="1" * 64))
    assert found["pods-can-start/declared-env-boots"].status is Status.FAIL
    assert command.INTEGRITY_FAILED in found["pods-can-start/declared-env-boots"].reason


def test_the_command_refuses_an_app_folder_without_a_config(tmp_path):
    err = io.StringIO()
    code = command.main(Options(stack="prod", app=tmp_path), out=io.StringIO(), err=err)
    assert code == command.EXIT_USAGE and "objectstack.config.ts" in err.getvalue()


def test_a_one_replica_stack_rehearses_its_refusals_too(ready, previews):
    # The dev stack declares one replica: nothing to refuse on topology, and the wrong pin still boots
    # (this path once stopped the whole rehearsal on an attribute only the multi-node path set).
    preview = previews("dev")
    inputs = Inputs(preview.settings, list(preview.result.resources), header_set(preview.settings), artifacts.APP)
    outcome = command.rehearse(inputs, Options(stack="dev", release=False, probe_rate_limit=False), progress=print)
    found = {f.id: f for f in outcome.report.findings}
    assert not [f.reason for f in found.values() if f.name == "the rehearsal"]  # no step stopped it
    topology = found["runtime-edition-topology/declared-topology-boots"]
    assert topology.status is Status.PASS and topology.name == "one replica as declared"
    assert found["release-pins-image-and-artifact/wrong-pin-refused"].status is Status.PASS
    assert found["pods-can-start/declared-env-boots"].status is Status.PASS
    assert outcome.report.verdict == "PASS"
