"""The policy pack: every checklist policy, and how strictly each stack enforces it.

Enforcement comes from the pack's configuration (policy/enforcement.py): the prod
config makes every policy mandatory, dev and staging make them advisory, except the
policies every environment must pass (MANDATORY_EVERYWHERE: a stack AWS would refuse,
or whose pods can never start, cannot finish `pulumi up` anywhere). With no config
file at all every policy is mandatory, so forgetting the file fails closed.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Policy

from objectos_core.checklist import policy_judged
from policy.policies import access, aws_inputs, data, edge, hardening, logs, pods, release, secrets, waf

PACK_NAME = "objectos-go-live"
DEFAULT_ENFORCEMENT = EnforcementLevel.MANDATORY
DESCRIPTION = "The ObjectOS go-live checklist: mandatory for prod stacks, advisory elsewhere."


def _ordered(policies: list[Policy]) -> list[Policy]:
    by_name = {p.name: p for p in policies}
    ids = policy_judged()
    unknown = set(by_name) - set(ids)
    missing = set(ids) - set(by_name)
    if unknown or missing:
        raise AssertionError(f"policies and checklist differ: unknown {sorted(unknown)}, missing {sorted(missing)}")
    return [by_name[i] for i in ids]


POLICIES: list[Policy] = _ordered(
    edge.POLICIES
    + waf.POLICIES
    + secrets.POLICIES
    + data.POLICIES
    + release.POLICIES
    + pods.POLICIES
    + aws_inputs.POLICIES
    + hardening.POLICIES
    + access.POLICIES
    + logs.POLICIES
)
