"""The pack judges any program: a corpus of small user programs, run over the analyzer protocol as
`golive preview` runs the pack. Each violating program is reported by the right policy on the right
resource; a compliant program passes every policy."""

from __future__ import annotations

import pytest

from policy.pack import POLICIES
from policy.policies._base import MISSING_PART
from tests.policy.programs import Program, judge, urn
from tests.policy.programs.compliant import PROGRAMS as COMPLIANT
from tests.policy.programs.violating import PROGRAMS as VIOLATING


def failures(program: Program):
    diagnostics, rows = judge(program)
    return [d for d in diagnostics if not d.message.startswith("can't run")], rows


def test_the_corpus_holds_ten_violations_and_four_compliant_programs():
    assert len(VIOLATING) >= 10 and len(COMPLIANT) >= 4
    assert all(p.expected for p in VIOLATING) and not any(p.expected for p in COMPLIANT)


@pytest.mark.parametrize("program", VIOLATING, ids=lambda p: p.name)
def test_each_violation_is_reported_by_the_right_policy_on_the_right_resource(program):
    expected = program.expected
    types = {r.name: r.type for r in program.resources}
    found, rows = failures(program)
    hits = [d for d in found if d.policy == expected.policy and expected.fragment in d.message]
    assert hits, [(d.policy, d.message) for d in found]
    assert {d.urn for d in hits} == {urn(types[expected.resource], expected.resource)}
    # Nothing else fails, except the kit's parts an ObjectOS stack must have.
    others = [d for d in found if d.policy != expected.policy and not d.message.endswith(MISSING_PART)]
    assert others == []
    assert any(r.rule == expected.policy and r.status == "fail" for r in rows)


@pytest.mark.parametrize("program", COMPLIANT, ids=lambda p: p.name)
def test_each_compliant_program_passes_every_policy(program):
    found, rows = failures(program)
    assert found == []
    assert not [r for r in rows if r.status == "fail"]


def test_a_program_that_does_not_run_objectos_gets_no_missing_part_failure():
    found, _ = failures(COMPLIANT[0])
    assert not [d for d in found if d.message.endswith(MISSING_PART)]


def test_a_program_running_objectos_is_told_the_parts_it_lacks():
    program = next(p for p in VIOLATING if p.name == "objectos-auth-secret-from-a-config-map")
    found, _ = failures(program)
    missing = {d.policy for d in found if d.message.endswith(MISSING_PART)}
    assert {"tls-at-edge", "rate-limits-auth-write", "database-backup-restore-tested"} <= missing


def test_every_policy_states_its_kind_in_its_metadata():
    kinds = {p.name: p.kind for p in POLICIES}
    assert set(kinds.values()) == {"resource", "objectos-stack"}
    assert all(f"kind:{p.kind}" in p.tags for p in POLICIES)
    assert kinds["tls-at-edge"] == "objectos-stack" and kinds["no-baked-secrets"] == "resource"


def test_a_malformed_resource_among_good_ones_is_a_finding_and_the_rest_is_still_judged():
    malformed = next(p for p in VIOLATING if p.name == "ingress-listen-ports-as-a-scalar")
    forwarding = next(p for p in VIOLATING if p.name == "alb-listener-http-forwards")
    good = COMPLIANT[0].resources + COMPLIANT[3].resources
    found, rows = failures(Program("mixed", malformed.resources + forwarding.resources + good))
    on = {(d.policy, d.urn.rsplit("::", 1)[-1]) for d in found}
    assert ("tls-at-edge", "shop") in on and ("tls-at-edge", "web-http") in on  # the same policy judged both
    assert {d.urn.rsplit("::", 1)[-1] for d in found} == {"shop", "web-http"}
    assert any("listen-ports" in d.message and "cannot read" in d.message for d in found)


def test_a_value_a_policy_needs_unknown_at_preview_is_not_judged_and_fails_prod():
    from tests.policy.programs import R
    from tests.policykit import UNKNOWN

    listener = R(
        "aws:alb/listener:Listener",
        "https",
        {"port": 443, "protocol": "HTTPS", "certificateArn": "arn:x", "sslPolicy": UNKNOWN},
    )
    program = Program("unknown-ssl-policy", (listener,))
    _, prod = judge(program, "prod")
    _, dev = judge(program, "dev")
    row = next(r for r in prod if r.rule == "tls-at-edge")
    assert row.status == "fail" and "https.sslPolicy" in row.reason and "prod needs a verdict" in row.reason
    assert next(r for r in dev if r.rule == "tls-at-edge").status == "not_judged"
