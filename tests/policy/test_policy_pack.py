"""The policy pack as the Pulumi CLI runs it, and the checklist table the preview builds from it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from google.protobuf import json_format, struct_pb2

from golive import analyzer, checklist
from golive.results import Finding
from objectos_core.checklist import BY_ID, ITEMS, LIVE_ONLY
from policy.enforcement import MANDATORY_EVERYWHERE, config_file, load_config
from testing.mocks import Registration

ROOT = Path(__file__).resolve().parents[2]
POLICY_IDS = [item.id for item in ITEMS if item.id not in LIVE_ONLY]


@pytest.fixture(scope="module")
def pack():
    """The pack started the way the CLI starts it: `python -m pulumi.policy <engine> .` in policy/."""
    process = analyzer.PolicyPackProcess(ROOT / "policy").start()
    yield process
    process.close()


def registration(type_: str, name: str, inputs: dict, protect: bool = False) -> Registration:
    return Registration.of(type_, name, inputs, protect=protect)


# --- the pack over the analyzer protocol ---------------------------------------------------------


def test_the_pack_lists_one_policy_per_checklist_item(pack):
    assert [p.name for p in pack.info().policies] == POLICY_IDS


def test_every_policy_carries_the_checklist_remediation_and_a_severity(pack):
    for policy in pack.info().policies:
        assert policy.remediation == BY_ID[policy.name].remediation
        assert policy.display_name == BY_ID[policy.name].title
        assert policy.severity in ("low", "medium", "high", "critical")
        assert len(policy.description) > 40


def test_policies_are_mandatory_when_no_config_is_given(pack):
    assert {p.enforcement for p in pack.info().policies} == {"mandatory"}


def test_thresholds_are_in_the_config_schemas(pack):
    schemas = {p.name: p.config_schema for p in pack.info().policies}
    assert schemas["audit-log-retention"]["minimumDays"]["default"] == 365
    assert schemas["rate-limits-auth-write"]["authMaxRequestsPerMinute"]["default"] == 10
    assert schemas["rate-limits-auth-write"]["writeMaxRequestsPerMinute"]["default"] == 60
    assert schemas["rate-limits-auth-write"]["readMaxRequestsPerMinute"]["default"] == 600


def test_analyze_reports_a_violation_against_the_resource(pack):
    pack.configure(load_config("prod"), pack.info().policies)
    redis = registration(
        "aws:elasticache/replicationGroup:ReplicationGroup", "cache", {"transitEncryptionEnabled": False}, protect=True
    )
    found = [d for d in pack.analyze([redis]) if d.policy == "redis-encrypted-with-auth"]
    assert found and {d.urn for d in found} == {redis.urn} and {d.enforcement for d in found} == {"mandatory"}


def test_configured_thresholds_reach_the_policies(pack):
    group = registration(
        "aws:cloudwatch/logGroup:LogGroup", "audit-logs", {"name": "/objectos/prod/audit", "retentionInDays": 400}
    )
    pack.configure({"all": "advisory", "audit-log-retention": {"minimumDays": 365}}, pack.info().policies)
    assert not [d for d in pack.analyze_stack([group]) if d.policy == "audit-log-retention" and d.urn == group.urn]
    pack.configure({"all": "advisory", "audit-log-retention": {"minimumDays": 731}}, pack.info().policies)
    assert [d for d in pack.analyze_stack([group]) if d.policy == "audit-log-retention" and d.urn == group.urn]


def test_properties_reach_the_pack_as_the_engine_forwards_them():
    from pulumi.runtime import rpc

    struct = struct_pb2.Struct()
    struct.update(
        {
            "bucket": {rpc._special_sig_key: rpc._special_resource_sig, "urn": "urn:b", "id": "bucket-1"},
            "token": {rpc._special_sig_key: rpc._special_output_value_sig, "value": "t0ken", "secret": True},
            "later": {rpc._special_sig_key: rpc._special_output_value_sig},
        }
    )
    forwarded = json_format.MessageToDict(analyzer.engine_properties(struct))
    assert forwarded["bucket"] == "bucket-1"
    assert forwarded["token"] == {rpc._special_sig_key: rpc._special_secret_sig, "value": "t0ken"}
    assert forwarded["later"] == rpc.UNKNOWN


def pack_children(pid: int) -> list[int]:
    """Policy pack processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"pulumi.policy" in command:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = 30.0):
    """Poll until `condition()` is truthy; returns its last value (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return value


def stop(process: subprocess.Popen, packs: list[int]) -> None:
    """Leave nothing behind, whatever the test found."""
    process.kill()
    process.wait(timeout=30)
    process.stdout.close()
    for pid in packs:
        if running(pid):
            os.kill(pid, signal.SIGKILL)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
KEEP_A_PACK = (
    "import time; from golive import analyzer; analyzer.shared_pack().info(); print('up', flush=True); time.sleep(60)"
)


# `python -m golive preview --stack prod`, held once the pack has answered (so it is up and past
# its start-up output), where a cancelled CI job or a stopped container would stop it.
HELD_PREVIEW = """
import runpy, sys, time
import golive.preview
golive.preview.print_summary = lambda *args, **kwargs: (print("up", flush=True), time.sleep(60))
sys.argv = ["golive", "preview", "--stack", "prod"]
runpy.run_module("golive", run_name="__main__", alter_sys=True)
"""


@needs_proc
def test_a_preview_stopped_with_sigterm_stops_its_policy_pack():
    preview = subprocess.Popen([sys.executable, "-c", HELD_PREVIEW], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    packs: list[int] = []
    try:
        assert preview.stdout.readline().strip() == "up"
        packs += pack_children(preview.pid)
        assert packs, "the preview started no policy pack"
        preview.send_signal(signal.SIGTERM)
        preview.wait(timeout=30)
        assert wait_for(lambda: not any(running(pid) for pid in packs))
    finally:
        stop(preview, packs)


@needs_proc
def test_a_killed_caller_takes_its_policy_pack_with_it():
    caller = subprocess.Popen([sys.executable, "-c", KEEP_A_PACK], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    packs: list[int] = []
    try:
        assert caller.stdout.readline().strip() == "up"
        packs += pack_children(caller.pid)
        assert packs
        caller.kill()  # SIGKILL: no exit handler runs
        caller.wait(timeout=30)
        assert wait_for(lambda: not any(running(pid) for pid in packs))
    finally:
        stop(caller, packs)


def test_a_pack_that_cannot_start_is_an_analyzer_error(tmp_path):
    broken = analyzer.PolicyPackProcess(tmp_path)
    with pytest.raises(analyzer.AnalyzerError, match="did not start"):
        broken.info()


# --- the pack config, resolved as the CLI resolves it ---------------------------------------------


def test_prod_makes_every_policy_mandatory(pack):
    levels = analyzer.resolve_config(load_config("prod"), pack.info().policies)
    assert {level for level, _ in levels.values()} == {"mandatory"}


DEPLOYABILITY = set(MANDATORY_EVERYWHERE)
"""Policies a stack must pass in every environment: failing them, `pulumi up` itself fails."""


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_other_environments_are_advisory_but_must_deploy(pack, environment):
    levels = analyzer.resolve_config(load_config(environment), pack.info().policies)
    assert {name for name, (level, _) in levels.items() if level == "mandatory"} == DEPLOYABILITY
    assert {level for name, (level, _) in levels.items() if name not in DEPLOYABILITY} == {"advisory"}


def test_the_deployability_policies_are_supporting_checklist_items():
    assert all(BY_ID[name].supporting for name in DEPLOYABILITY)


def test_a_policy_entry_overrides_all(pack):
    levels = analyzer.resolve_config({"all": "advisory", "tls-at-edge": "mandatory"}, pack.info().policies)
    assert levels["tls-at-edge"][0] == "mandatory" and levels["hsts-after-tls"][0] == "advisory"


def test_prod_requires_the_customers_audit_retention(pack):
    levels = analyzer.resolve_config(load_config("prod"), pack.info().policies)
    assert levels["audit-log-retention"][1]["minimumDays"] == 2557


@pytest.mark.parametrize(
    "config, message",
    [
        ({"tls-at-edg": "mandatory"}, "unknown policies: tls-at-edg"),
        ({"audit-log-retention": {"minimumDays": "seven years"}}, "must be a integer"),
        ({"audit-log-retention": {"retention": 10}}, "no such setting"),
        ({"all": "strict"}, "use advisory, mandatory or disabled"),
    ],
)
def test_a_wrong_config_is_refused_with_a_reason(pack, config, message):
    with pytest.raises(analyzer.AnalyzerError, match=re.escape(message)):
        analyzer.resolve_config(config, pack.info().policies)


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_each_environment_has_a_valid_config_file(pack, environment):
    assert config_file(environment).exists()
    analyzer.resolve_config(load_config(environment), pack.info().policies)


# --- the checklist table of the offline preview -----------------------------------------------------


def test_the_prod_preview_passes_every_policy_as_mandatory(previews):
    rows = previews("prod").checks
    assert {(r.id, r.status, r.mandatory) for r in rows if r.source == "policy"} == {
        (i, "pass", True) for i in POLICY_IDS
    }


def test_the_preview_has_a_row_for_every_checklist_item(previews):
    assert {r.id for r in previews("prod").checks} == set(BY_ID)


def test_cross_org_access_is_left_to_the_live_verifier(previews):
    row = next(r for r in previews("prod").checks if r.id == "cross-org-access-denied")
    assert (row.status, row.reason) == ("not_judged", "verified live by golive verify --access")


def test_the_dev_preview_rows_are_advisory_except_deployability(previews):
    rows = [r for r in previews("dev").checks if r.source == "policy"]
    assert rows and {r.id for r in rows if r.mandatory} == DEPLOYABILITY
    assert previews("dev").exit_code == 0


def test_the_json_plan_carries_the_checklist(previews):
    ids = {
        row["rule"] for row in previews("prod").to_json()["findings"] if row["source"] not in ("plan", "settings")
    }  # settings: the stack file's keys
    assert ids == set(BY_ID)


def test_a_pack_that_does_not_run_fails_every_item(monkeypatch, tmp_path, previews):
    preview = previews("prod")
    monkeypatch.setattr(analyzer, "shared_pack", lambda: analyzer.PolicyPackProcess(tmp_path))
    rows = checklist.evaluate(preview.result, preview.settings)
    failed = {r.id for r in rows if r.status == "fail" and r.mandatory}
    assert failed == set(POLICY_IDS)


CANNOT_RUN = "can't run policy 'tls-at-edge' from policy pack 'objectos-go-live@v1.0.0' during preview: unknown value"


def test_in_prod_a_policy_the_sdk_could_not_run_is_a_mandatory_failure():
    levels = {policy_id: "mandatory" for policy_id in POLICY_IDS}
    diagnostic = analyzer.Diagnostic("tls-at-edge", CANNOT_RUN, "", "advisory", "")
    row = next(r for r in checklist.rows([diagnostic], levels, strict=True) if r.id == "tls-at-edge")
    assert (row.status, row.mandatory) == ("fail", True) and CANNOT_RUN in row.reason


def test_outside_prod_a_policy_the_sdk_could_not_run_is_not_judged_not_passed():
    levels = {policy_id: "advisory" for policy_id in POLICY_IDS}
    diagnostic = analyzer.Diagnostic("tls-at-edge", CANNOT_RUN, "", "advisory", "")
    row = next(r for r in checklist.rows([diagnostic], levels, strict=False) if r.id == "tls-at-edge")
    assert (row.status, row.reason) == ("not_judged", CANNOT_RUN)


def test_in_prod_a_policy_disabled_in_the_config_is_a_mandatory_failure():
    levels = {policy_id: "mandatory" for policy_id in POLICY_IDS} | {"hsts-after-tls": "disabled"}
    row = next(r for r in checklist.rows([], levels, strict=True) if r.id == "hsts-after-tls")
    assert (row.status, row.mandatory) == ("fail", True)


def test_outside_prod_a_policy_disabled_in_the_config_is_not_judged():
    levels = {policy_id: "advisory" for policy_id in POLICY_IDS} | {"hsts-after-tls": "disabled"}
    row = next(r for r in checklist.rows([], levels, strict=False) if r.id == "hsts-after-tls")
    assert (row.status, row.mandatory) == ("not_judged", False)


def test_in_prod_the_only_unjudged_items_are_the_live_only_ones(previews):
    assert {r.id for r in previews("prod").checks if r.status == "not_judged"} == set(LIVE_ONLY)


def test_a_leak_replaces_the_passing_row_of_no_baked_secrets():
    passing = [Finding("no-baked-secrets", "pass", "mandatory", "ok")]
    leak = [Finding("no-baked-secrets", "fail", "mandatory", "leak", source="plan")]
    assert checklist.combine(passing, leak) == leak


# --- the pack's project files ---------------------------------------------------------------------


def test_the_pack_starts_in_the_virtualenv_its_manifest_names(tmp_path):
    manifest = (ROOT / "policy" / "PulumiPolicy.yaml").read_text()
    (tmp_path / "PulumiPolicy.yaml").write_text(manifest)
    venv = yaml.safe_load(manifest)["runtime"]["options"]["virtualenv"]
    python = tmp_path / venv / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")  # only its existence matters to the choice
    assert analyzer.pack_python(tmp_path) == str(python.resolve())


def test_the_pack_falls_back_to_this_interpreter_until_its_virtualenv_exists(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert analyzer.pack_python(tmp_path) == sys.executable


def test_the_pack_imports_nothing_outside_its_own_requirements():
    import subprocess
    import sys

    kit_only = ["pydantic", "pulumi_aws", "pulumi_kubernetes", "pulumi_random", "settings", "golive", "components"]
    probe = "import sys, policy.pack; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert [name for name in kit_only if f"'{name}'" in loaded] == []


def test_the_pack_pins_the_kits_versions():
    def pins(path: Path) -> dict[str, str]:
        lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
        return dict(line.lower().split("==") for line in lines if line and not line.startswith(("-r", "-c")))

    pack_pins, kit_pins = pins(ROOT / "policy" / "requirements.txt"), pins(ROOT / "requirements.txt")
    assert "pulumi-policy" in pack_pins
    assert all(kit_pins.get(name) == version for name, version in pack_pins.items())
