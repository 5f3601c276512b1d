"""The pack judges any program: a corpus of small user programs, each a directory that
`golive preview --program` runs (tests/policy/corpus/README.md). Each violating program is
reported by the right policy on the right resource; a compliant program passes everything."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from golive import cli
from golive.preview import Preview, preview_program
from golive.results import Status
from policy.pack import POLICIES
from policy.policies._base import MISSING_PART
from settings import files

CORPUS = Path(__file__).resolve().parent / "corpus"
STACK = "prod"  # every case has Pulumi.prod.yaml: judged by the strictest config
PACK_CONFIG = "policy-config.json"  # optional, passed as --policy-pack-config


@dataclass(frozen=True)
class Expected:
    policy: str
    resource: Optional[str]  # the resource's name; None: a finding on the stack
    message: str  # a phrase of the finding's reason


@dataclass(frozen=True)
class Case:
    directory: Path
    violations: tuple[Expected, ...]

    @property
    def name(self) -> str:
        return self.directory.name

    @property
    def pack_config(self) -> Optional[Path]:
        path = self.directory / PACK_CONFIG
        return path if path.exists() else None


def load_case(directory: Path) -> Case:
    """A corpus directory and its expect.yaml; a malformed one names the file and the key."""
    path = directory / "expect.yaml"
    document = files.load_yaml(path)
    if not isinstance(document, dict) or set(document) != {"violations"}:
        raise ValueError(f"{path}: must hold exactly one key, violations: (a list, [] for a compliant program)")
    found = []
    for index, entry in enumerate(document["violations"] or []):
        keys = set(entry) if isinstance(entry, dict) else set()
        if not {"policy", "message"} <= keys <= {"policy", "resource", "message"}:
            raise ValueError(
                f"{path}: violations[{index}] needs policy: and message: (and resource: unless on the stack)"
            )
        found.append(Expected(entry["policy"], entry.get("resource"), entry["message"]))
    return Case(directory, tuple(found))


VIOLATING = [load_case(d) for d in sorted((CORPUS / "violating").iterdir()) if d.is_dir()]
COMPLIANT = [load_case(d) for d in sorted((CORPUS / "compliant").iterdir()) if d.is_dir()]


@functools.cache
def preview_of(directory: Path, stack: str = STACK) -> Preview:
    case = load_case(directory)
    return preview_program(directory, stack, case.pack_config)


def resource_name(urn: Optional[str]) -> Optional[str]:
    return urn.rsplit("::", 1)[-1] if urn else None


def failures(preview: Preview):
    return [f for f in preview.report.findings if f.status in (Status.FAIL, Status.WARN)]


def case_named(name: str) -> Case:
    return next(c for c in VIOLATING + COMPLIANT if c.name == name)


def assert_summary_says_how_the_pack_judged_the_stack(preview: Preview) -> None:
    """The summary's "ObjectOS stack" verdict agrees with the pack: a missing part only where it says yes."""
    kind = preview.stack_kind
    assert kind is not None
    missing = {f.rule for f in failures(preview) if f.reason.endswith(MISSING_PART)}
    assert {rule for rule in missing if not kind.applies(rule)} == set(), kind.line()


def test_the_corpus_holds_thirty_violating_and_eight_compliant_programs():
    assert len(VIOLATING) >= 30 and len(COMPLIANT) >= 8
    assert all(c.violations for c in VIOLATING) and not any(c.violations for c in COMPLIANT)
    for case in VIOLATING + COMPLIANT:
        assert (case.directory / "Pulumi.yaml").is_file() and (case.directory / "__main__.py").is_file(), case.name
        assert (case.directory / f"Pulumi.{STACK}.yaml").is_file(), case.name


@pytest.mark.parametrize("case", VIOLATING, ids=lambda c: c.name)
def test_each_violation_is_reported_by_the_right_policy_on_the_right_resource(case):
    preview = preview_of(case.directory)
    found = failures(preview)
    shown = [(f.rule, resource_name(f.resource), f.reason) for f in found]
    for expected in case.violations:
        hits = [f for f in found if f.rule == expected.policy and expected.message in f.reason]
        assert hits, shown
        assert {resource_name(f.resource) for f in hits} == {expected.resource}, shown
    # Nothing else fails, except the kit's parts an ObjectOS stack must have.
    policies = {e.policy for e in case.violations}
    others = [
        s for f, s in zip(found, shown, strict=True) if f.rule not in policies and not f.reason.endswith(MISSING_PART)
    ]
    assert others == []
    assert preview.exit_code == 1
    assert_summary_says_how_the_pack_judged_the_stack(preview)


@pytest.mark.parametrize("case", COMPLIANT, ids=lambda c: c.name)
def test_each_compliant_program_passes_every_policy(case):
    preview = preview_of(case.directory)
    assert [(f.rule, resource_name(f.resource), f.reason) for f in failures(preview)] == []
    assert preview.exit_code == 0
    assert_summary_says_how_the_pack_judged_the_stack(preview)


def test_a_program_that_does_not_run_objectos_gets_no_missing_part_failure():
    preview = preview_of(case_named("a-vpc-and-a-protected-bucket").directory)
    assert preview.report.passed
    assert not [f for f in preview.report.findings if f.reason.endswith(MISSING_PART)]


def test_a_program_running_objectos_is_told_the_parts_it_lacks():
    preview = preview_of(case_named("objectos-auth-secret-from-a-config-map").directory)
    missing = {f.rule for f in failures(preview) if f.reason.endswith(MISSING_PART)}
    assert {"tls-at-edge", "rate-limits-auth-write", "database-backup-restore-tested"} <= missing
    assert preview.stack_kind.line().startswith("ObjectOS stack: yes, detected (container 'objectos' of 'objectos'")


def test_the_pack_config_can_say_a_stack_of_kit_components_is_not_an_objectos_stack():
    case = case_named("kit-header-policy-for-an-existing-distribution")
    as_detected = preview_program(case.directory, STACK)  # the kit's components: detected as ObjectOS
    assert {f.rule for f in failures(as_detected) if f.reason.endswith(MISSING_PART)} >= {"tls-at-edge"}
    assert "detected (resource 'shop-headers' is part of the kit's component" in as_detected.stack_kind.line()
    told = preview_of(case.directory)  # its policy-config.json says objectosStack: no
    assert told.report.passed
    assert told.stack_kind.line().startswith("ObjectOS stack: no, set by objectosStack: no in the pack config")


def test_every_policy_states_its_kind_in_its_metadata():
    kinds = {p.name: p.kind for p in POLICIES}
    assert set(kinds.values()) == {"resource", "objectos-stack"}
    assert all(f"kind:{p.kind}" in p.tags for p in POLICIES)
    assert kinds["tls-at-edge"] == "objectos-stack" and kinds["no-baked-secrets"] == "resource"


def test_a_malformed_value_is_a_finding_and_the_same_policy_still_judges_the_rest():
    preview = preview_of(case_named("malformed-among-good-resources").directory)
    on = {resource_name(f.resource) for f in failures(preview)}
    assert on == {"shop", "web-http"}
    assert any("listen-ports" in f.reason and "cannot read" in f.reason for f in failures(preview))


def test_a_value_unknown_at_preview_is_not_judged_outside_prod_and_fails_prod():
    directory = case_named("listener-tls-policy-unknown-at-preview").directory
    prod = next(f for f in preview_of(directory, "prod").checks if f.rule == "tls-at-edge")
    dev = next(f for f in preview_of(directory, "dev").checks if f.rule == "tls-at-edge")
    assert prod.status is Status.FAIL and "https.sslPolicy" in prod.reason and "prod needs a verdict" in prod.reason
    assert dev.status is Status.NOT_JUDGED and "https.sslPolicy" in dev.reason


def test_the_command_line_runs_a_corpus_program_through_the_same_entry_point(capsys):
    violating = case_named("alb-listener-http-forwards").directory
    assert cli.main(["preview", "--program", str(violating), "--stack", STACK]) == 1
    out = capsys.readouterr().out
    assert "instead of redirecting to HTTPS" in out and "[web-http]" in out and "Verdict: NOT READY" in out
    assert "ObjectOS stack: no, not detected (no kit component" in out
    compliant = case_named("a-vpc-and-a-protected-bucket").directory
    assert cli.main(["preview", "--program", str(compliant)]) == 0  # its only stack file: prod
    assert "Verdict: READY" in capsys.readouterr().out
