"""Waivers: a waived finding never fails; an expired or unused waiver is a finding; a bad file names file, line and key."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest

from golive import cli, waivers
from golive import preview as preview_mod
from golive.results import Enforcement, Finding, Status, Tool, violation
from golive.verify import command
from tests.conftest import ROOT

TODAY = date(2026, 11, 29)
URN = "urn:pulumi:prod::objectos::objectos:index:RedisCache$aws:ec2/securityGroup:SecurityGroup::objectos-redis-sg"
EXPOSED = violation("network-exposure-limited", Enforcement.MANDATORY, "6379 open to 0.0.0.0/0", resource=URN)
MANDATORY = Enforcement.MANDATORY


def waiver_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def entry(id: str = "network-exposure-limited", resource: str = "objectos-redis-sg", expires: str = "2026-12-31"):
    return (
        f"  - id: {id}\n"
        f"    resource: {resource}\n"
        "    reason: the cache moves behind the private endpoint in 2026.12\n"
        "    owner: platform@example.com\n"
        f"    expires: {expires}\n"
    )


def load(tmp_path: Path, *entries: str) -> list[waivers.Waiver]:
    return waivers.load(waiver_file(tmp_path, "waivers:\n" + "".join(entries)), TODAY)


def apply(found, recorded, tool=Tool.PREVIEW, today=TODAY):
    return waivers.apply(found, recorded, "prod", tool, today, MANDATORY)


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["objectos-redis-sg", URN])
def test_a_valid_waiver_turns_the_violation_waived_and_it_no_longer_fails(tmp_path, resource):
    (found,) = apply([EXPOSED], load(tmp_path, entry(resource=resource)))
    assert found.status is Status.WAIVED and not found.blocking
    assert (found.waiver.owner, found.waiver.expires, found.waiver.line) == ("platform@example.com", "2026-12-31", 2)
    assert found.to_json()["waiver"]["reason"].startswith("the cache moves")


def test_a_waiver_applies_through_its_last_day_and_expires_the_day_after(tmp_path):
    recorded = load(tmp_path, entry(expires="2026-11-29"))
    assert apply([EXPOSED], recorded)[0].status is Status.WAIVED
    after = apply([EXPOSED], recorded, today=TODAY + timedelta(days=1))
    assert [(f.rule, f.status) for f in after] == [
        ("network-exposure-limited", Status.FAIL),
        (waivers.WAIVER_EXPIRED, Status.FAIL),
    ]
    assert "expired on 2026-11-29" in after[1].reason and after[1].where.endswith("waivers.yaml:2")


def test_an_unused_waiver_is_a_finding_pointing_at_its_line(tmp_path):
    recorded = load(tmp_path, entry(), entry(resource="objectos-redis-old"))
    found = apply([EXPOSED], recorded)
    assert [(f.rule, f.status) for f in found] == [
        ("network-exposure-limited", Status.WAIVED),
        (waivers.WAIVER_UNUSED, Status.FAIL),
    ]
    assert "objectos-redis-old" in found[1].reason and found[1].where.endswith("waivers.yaml:7")


def test_a_waiver_of_a_passing_finding_is_unused(tmp_path):
    passing = Finding("network-exposure-limited", "pass", "mandatory", "no data port is open")
    assert [f.rule for f in apply([passing], load(tmp_path, entry()))] == ["network-exposure-limited", "waiver-unused"]


def test_unused_and_expired_waivers_are_advisory_outside_prod(tmp_path):
    found = waivers.apply([], load(tmp_path, entry()), "dev", Tool.PREVIEW, TODAY, Enforcement.ADVISORY)
    assert [(f.rule, f.status) for f in found] == [(waivers.WAIVER_UNUSED, Status.WARN)]


def test_a_waiver_for_another_stack_or_the_other_command_is_not_judged_here(tmp_path):
    other_stack = entry(resource=URN.replace("urn:pulumi:prod::", "urn:pulumi:staging::"))
    verifier = entry(id="tls-at-edge/http-redirects-to-https", resource="http://app.example.com/")
    scoped = "  - {id: tls-at-edge, resource: prod, reason: r, owner: o, expires: 2026-12-31, stacks: [dev]}\n"
    assert apply([], load(tmp_path, other_stack, verifier, scoped)) == []


def test_a_verifier_waiver_matches_its_sub_check_by_url(tmp_path):
    from golive.verify.checks import outcome

    redirect = outcome(
        "tls-at-edge", "HTTP redirects to HTTPS", "fail", "no redirect", resource="http://app.example.com/"
    )
    recorded = load(tmp_path, entry(id="tls-at-edge/http-redirects-to-https", resource="http://app.example.com/"))
    assert [f.status for f in apply([redirect], recorded, Tool.VERIFY)] == [Status.WAIVED]


def test_a_finding_without_resource_is_waived_by_the_stack_name(tmp_path):
    no_policy = violation("pods-can-start", MANDATORY, "the policy pack has no policy for this item")
    assert apply([no_policy], load(tmp_path, entry(id="pods-can-start", resource="prod")))[0].status is Status.WAIVED


# --- malformed files: file, line and key ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (entry(expires="2026-13-01"), r"waivers.yaml:6:14: waivers\[0\].expires: .*month must be in 1..12"),
        (entry(expires="'soon'"), r"waivers.yaml:6:5: waivers\[0\].expires: 'soon' is not a date; write .*YYYY-MM-DD"),
        (entry(expires="2031-01-01"), r"waivers.yaml:6:5: waivers\[0\].expires: 2031-01-01 is more than 366 days away"),
        (entry(id="tls-at-egde"), r"waivers.yaml:2:5: waivers\[0\].id: 'tls-at-egde' is not a rule the kit reports"),
        (entry(id="waiver-unused"), r"waivers.yaml:2:5: waivers\[0\].id: waiver-unused cannot be waived"),
        (entry(resource="''"), r"waivers.yaml:3:5: waivers\[0\].resource: must be non-empty text"),
        (entry() + "    expiry: 2026-12-31\n", r"waivers.yaml:7:5: waivers\[0\].expiry: is not a waiver key"),
        ("  - id: tls-at-edge\n    resource: prod\n", r"waivers.yaml:2:5: waivers\[0\]: has no `reason`"),
        (entry() + entry(), r"waivers.yaml:7:5: waivers\[1\]: waives the same finding as waivers\[0\]; keep one"),
        ("  - id: tls-at-edge\n  - id: tls-at-edge\n", r"waivers.yaml:2:5: waivers\[0\]: has no `resource`"),
    ],
)
def test_a_malformed_waiver_names_the_file_line_and_key(tmp_path, body, expected):
    with pytest.raises(waivers.WaiverFileError, match=expected):
        waivers.load(waiver_file(tmp_path, "waivers:\n" + body), TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waivers: {id: x}\n", r"waivers.yaml:1:1: waivers: must be a list"),
        ("waiver: []\n", r"waivers.yaml:1:1: waiver: is not a known key"),
        ("waivers:\n  - id: a\n    id: b\n", r"waivers.yaml:3:5: has the key 'id' twice"),
        ("- a\n", r"waivers.yaml: must be a mapping"),
    ],
)
def test_a_malformed_file_names_where(tmp_path, text, expected):
    with pytest.raises(waivers.WaiverFileError, match=expected):
        waivers.load(waiver_file(tmp_path, text), TODAY)


def test_no_file_means_no_waivers_unless_one_was_asked_for(tmp_path):
    assert waivers.load(tmp_path / "waivers.yaml", TODAY) == []
    with pytest.raises(waivers.WaiverFileError, match="does not exist; give an existing waivers file"):
        waivers.load(tmp_path / "waivers.yaml", TODAY, required=True)


def test_the_committed_waivers_file_is_valid_and_waives_nothing_unused(previews):
    recorded = waivers.load(ROOT / "stacks" / waivers.FILE_NAME, date.today(), required=True)
    for stack in ("dev", "staging", "prod"):
        preview = previews(stack).with_waivers(recorded, date.today())
        assert not [f for f in preview.report.findings if f.rule in waivers.RULES], stack


def test_the_preview_plan_rules_are_the_ones_a_waiver_may_name():
    assert {preview_mod.MANIFESTS_VALID, preview_mod.NAMES_UNIQUE} == set(waivers.PLAN_RULES)


# --- through the commands -------------------------------------------------------------------------


def dev_warning(previews) -> Finding:
    return next(f for f in previews("dev").report.findings if f.status is Status.WARN and f.resource)


def test_preview_reports_a_waived_warning_as_waived_in_text_and_json(previews, tmp_path, monkeypatch, capsys):
    warned = dev_warning(previews)
    path = waiver_file(tmp_path, "waivers:\n" + entry(id=warned.rule, resource=warned.resource.rsplit("::", 1)[-1]))
    monkeypatch.setattr(preview_mod, "preview_stack", lambda stack, stack_file=None: previews("dev"))
    json_path = tmp_path / "plan.json"
    code = cli.main(["preview", "--stack", "dev", "--waivers", str(path), "--json", str(json_path)])
    document = json.loads(json_path.read_text(encoding="utf-8"))
    waived = [f for f in document["findings"] if f["status"] == "waived"]
    assert code == 0 and document["counts"]["waived"] == len(waived) >= 1
    assert waived[0]["waiver"]["owner"] == "platform@example.com"
    assert " waived " in capsys.readouterr().out


def test_preview_with_an_expired_waiver_in_prod_is_not_ready(previews, tmp_path, monkeypatch, capsys):
    path = waiver_file(tmp_path, "waivers:\n" + entry(expires="2020-01-01"))
    monkeypatch.setattr(preview_mod, "preview_stack", lambda stack, stack_file=None: previews("prod"))
    assert cli.main(["preview", "--stack", "prod", "--waivers", str(path)]) == 1
    assert "Verdict: NOT READY: 1 expired or unused waiver(s)" in capsys.readouterr().out


def test_a_malformed_waivers_file_stops_preview_and_verify_with_exit_2_before_any_work(tmp_path, monkeypatch, capsys):
    path = waiver_file(tmp_path, "waivers:\n" + entry(expires="someday"))

    def never(*_args, **_kwargs):
        raise AssertionError("the program ran despite a malformed waivers file")

    monkeypatch.setattr(preview_mod, "preview_stack", never)
    assert cli.main(["preview", "--stack", "prod", "--waivers", str(path)]) == 2
    assert "waivers.yaml:6:5: waivers[0].expires: 'someday' is not a date" in capsys.readouterr().err
    err = StringIO()
    options = command.Options(stack="prod", url="https://127.0.0.1:1", waivers_path=path)
    assert command.main(options, environ={}, out=StringIO(), err=err) == command.EXIT_USAGE
    assert "waivers[0].expires" in err.getvalue()
