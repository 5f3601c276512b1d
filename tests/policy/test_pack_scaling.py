"""The policy pack does work in proportion to the stack: no policy pairs every resource with every other.

Counted, not timed: the Python function calls the whole pack makes on stacks of 10, 40 and 70
ObjectOS-like slices. In a linear pack each added slice costs the same, whatever the stack
already holds, so the 30 slices added from 40 to 70 cost what the 30 from 10 to 40 cost; a
policy that pairs every bucket with every access block costs more for each slice added to a
larger stack.
"""

from __future__ import annotations

import cProfile

from pulumi_policy import ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from bench import policy_pack
from policy.pack import POLICIES

SIZES = (10, 40, 70)  # slices of the bench's synthetic stack, equally spaced
SLACK = 1.03  # set ordering may change an early exit here and there


def _with_separate_parts(i: int) -> list:
    """A bench slice plus the parts whose pairing used to be quadratic: a separate key policy,
    an ALB Ingress, and a distribution origin naming a host (matched against every Ingress)."""
    unit = []
    for type_, name, props, deps, protect in policy_pack._unit(i):
        if type_ == "aws:cloudfront/distribution:Distribution":
            origin = {
                "originId": "alb",
                "domainName": f"alb{i}.example.com",
                "customOriginConfig": {"originProtocolPolicy": "https-only"},
            }
            props = {**props, "origins": [origin]}
        unit.append((type_, name, props, deps, protect))
    ingress = {
        "metadata": {"annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}},
        "spec": {"ingressClassName": "alb", "rules": [{"host": f"alb{i}.example.com"}]},
    }
    unit += [
        (
            "aws:kms/keyPolicy:KeyPolicy",
            f"key-policy{i}",
            {"policy": policy_pack.KEY_POLICY},
            {"keyId": [f"key{i}"]},
            False,
        ),
        ("kubernetes:networking.k8s.io/v1:Ingress", f"ingress{i}", ingress, {}, False),
    ]
    return unit


def _run_pack(resources: list) -> None:
    """Every policy as the analyzer runs it; a policy's note about values it could not judge ends only that policy."""
    for policy in POLICIES:
        try:
            if isinstance(policy, ResourceValidationPolicy):
                for r in resources:
                    args = ResourceValidationArgs(r.resource_type, r.props, r.urn, r.name, r.opts, None)
                    policy.validate(args, lambda *_: None)
            else:
                policy.validate(StackValidationArgs(resources), lambda *_: None)
        except UnknownValueError:
            pass


def _stack(slices: int) -> list:
    return policy_pack.synthetic_stack(slices * len(_with_separate_parts(0)), unit=_with_separate_parts)


def _calls(slices: int) -> int:
    stack = _stack(slices)
    profiler = cProfile.Profile()
    profiler.enable()
    _run_pack(stack)
    profiler.disable()
    return sum(entry.callcount for entry in profiler.getstats())


def test_each_slice_added_costs_the_pack_the_same_in_a_larger_stack():
    _run_pack(_stack(1))  # first-use costs (lazy imports, service models) out of the count
    small, middle, large = (_calls(n) for n in SIZES)
    earlier, later = middle - small, large - middle
    assert later <= earlier * SLACK, f"the later slices cost {later / earlier:.2f}x the earlier ones"
