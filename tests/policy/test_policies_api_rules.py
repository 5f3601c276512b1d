"""aws-inputs-valid: the policy over a stack, the preview's rows, and values AWS would refuse
planted into the real prod program (the done-when of the API-rules check)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi_policy.proxy import UnknownValueError

import settings.engine
from golive import analyzer, checklist
from golive.preview import EXIT_NOT_READY, run_preview
from objectos_core.checklist import ITEMS, LIVE_ONLY
from policy.enforcement import NOT_JUDGED
from policy.policies.aws_inputs import aws_inputs_valid
from settings.load import validate
from tests.conftest import stack_config
from tests.policykit import UNKNOWN, Stack, violating_urns, violations

RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
POLICY_IDS = [i.id for i in ITEMS if i.id not in LIVE_ONLY]


def run(stack: Stack) -> tuple[list[str], str]:
    """The violations, and the not-judged note the policy raises (empty when it judged everything)."""
    found: list[str] = []
    try:
        aws_inputs_valid.validate(stack.args(), lambda message, urn=None: found.append(message))
    except UnknownValueError as note:
        return found, note.message
    return found, ""


def test_a_stack_aws_accepts_passes():
    stack = Stack()
    stack.add(RULE, "https-in", {"description": "HTTPS from the CDN", "ipProtocol": "tcp", "fromPort": 443.0})
    assert run(stack) == ([], "")


def test_a_description_aws_refuses_fails_on_its_resource():
    stack = Stack()
    rule = stack.add(RULE, "https-in", {"description": "HTTPS from the CDN's servers"})
    assert violating_urns(aws_inputs_valid, stack.args()) == [rule.urn]
    [message] = violations(aws_inputs_valid, stack.args())
    assert message.startswith("https-in: description = \"HTTPS from the CDN's servers\" fails AWS's rule")
    assert (
        "ec2/2016-11-15/service-2.json AuthorizeSecurityGroupIngress IpPermissions[].IpRanges[].Description" in message
    )


@pytest.mark.parametrize("days, refused", [(0, False), (7, False), (3, True), (31, True)])
def test_a_secret_recovery_window_of_0_is_the_providers_force_delete_and_1_to_6_are_refused(days, refused):
    stack = Stack()
    stack.add("aws:secretsmanager/secret:Secret", "token", {"name": "shop/token", "recoveryWindowInDays": float(days)})
    found, _ = run(stack)
    assert bool([m for m in found if "recoveryWindowInDays" in m]) is refused


def test_a_secret_input_is_judged_but_never_shown():
    stack = Stack()
    stack.add(
        REDIS,
        "redis",
        {"description": "d", "authToken": {SECRET_SIG: "4dabf18193072939515e22adb298388d", "value": "too'short"}},
    )
    [message], _ = run(stack)
    assert "authToken" in message and "too'short" not in message and "secret value, not shown" in message


def test_unknown_values_are_named_in_the_note_after_the_known_ones_are_judged():
    stack = Stack()
    stack.add(RULE, "https-in", {"description": "it's", "securityGroupId": UNKNOWN})
    stack.add("aws:kms/alias:Alias", "alias", {"name": "alias/ok", "targetKeyId": UNKNOWN})
    found, note = run(stack)
    assert len(found) == 1 and "description" in found[0]
    assert note.startswith(NOT_JUDGED) and "2 value(s) unknown until deploy" in note
    assert "https-in.securityGroupId" in note and "alias.targetKeyId" in note


def test_a_type_with_no_mapping_is_named_in_the_note():
    stack = Stack()
    stack.add("aws:lb/loadBalancer:LoadBalancer", "alb", {"name": "alb"})
    assert run(stack) == (
        [],
        f"{NOT_JUDGED}1 resource(s) of types with no API-rules mapping: aws:lb/loadBalancer:LoadBalancer (1)",
    )


@pytest.mark.parametrize(
    "props",
    [
        {"description": ["a", {"b": None}]},
        {"fromPort": {"deep": [[["x"]]]}},
        {"tags": "k=v"},
        {"description": None, "ipProtocol": 6.0},
    ],
)
def test_odd_input_is_a_finding_never_a_crash(props):
    stack = Stack()
    stack.add(RULE, "odd", props)
    found, _ = run(stack)
    assert all(message.startswith("odd: ") for message in found)


# --- the preview's rows -----------------------------------------------------------------------------

NOTE = (
    f"can't run policy 'aws-inputs-valid' from policy pack 'objectos-go-live@v1.0.0' during preview: "
    f"{NOT_JUDGED}2 value(s) unknown until deploy: a.arn, b.id"
)


def test_a_not_judged_note_is_no_failure_in_prod_and_the_row_shows_it():
    levels = {policy_id: "mandatory" for policy_id in POLICY_IDS}
    note = analyzer.Diagnostic("aws-inputs-valid", NOTE, "", "advisory", "")
    [row] = [r for r in checklist.rows([note], levels, strict=True) if r.id == "aws-inputs-valid"]
    assert (row.status, row.mandatory) == ("pass", True)
    assert "not judged: 2 value(s) unknown until deploy: a.arn, b.id" in row.reason


def test_beside_a_violation_the_note_is_its_own_row():
    levels = {policy_id: "mandatory" for policy_id in POLICY_IDS}
    diagnostics = [
        analyzer.Diagnostic("aws-inputs-valid", NOTE, "", "advisory", ""),
        analyzer.Diagnostic("aws-inputs-valid", "x: description = 'a' fails", "urn:x", "mandatory", ""),
    ]
    found = [
        (r.status, r.mandatory) for r in checklist.rows(diagnostics, levels, strict=True) if r.id == "aws-inputs-valid"
    ]
    assert found == [("fail", True), ("not_judged", True)]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_untouched_stacks_pass_as_mandatory(previews, stack):
    [row] = [r for r in previews(stack).checks if r.id == "aws-inputs-valid"]
    assert (row.status, row.mandatory) == ("pass", True)


# --- done-when: values AWS would refuse, planted into the prod program ----------------------------


def _set(key: str, value: Any) -> Callable[[dict], None]:
    return lambda props: props.__setitem__(key, value)


PLANTED: list[tuple[str, Callable[[dict], None], str]] = [
    (RULE, _set("description", "pods' HTTPS"), "description"),  # a character EC2 refuses
    ("aws:ec2/securityGroup:SecurityGroup", _set("description", "d" * 300), "description"),  # over 255
    ("aws:iam/role:Role", _set("max_session_duration", 100), "maxSessionDuration"),  # below 3600
    ("aws:iam/rolePolicy:RolePolicy", _set("name", "write audit archive"), "name"),  # spaces
    ("aws:kms/key:Key", _set("deletion_window_in_days", 90), "deletionWindowInDays"),  # 7..30
    ("aws:kms/key:Key", _set("description", "k" * 9000), "description"),  # over 8192
    ("aws:kms/alias:Alias", _set("name", "alias/objectos prod"), "name"),  # a space
    ("aws:cloudwatch/logGroup:LogGroup", _set("retention_in_days", 42), "retentionInDays"),  # not a retention
    ("aws:secretsmanager/secret:Secret", _set("recovery_window_in_days", 3), "recoveryWindowInDays"),  # 7..30
    (REDIS, _set("transit_encryption_mode", "sometimes"), "transitEncryptionMode"),  # not in the enum
    (REDIS, _set("replication_group_id", "objectos--prod-"), "replicationGroupId"),  # double and end hyphen
    ("aws:backup/restoreTestingPlan:RestoreTestingPlan", _set("start_window_hours", 500), "startWindowHours"),
    ("aws:wafv2/webAcl:WebAcl", _set("description", "ObjectOS rate limits!"), "description"),  # '!' at the end
    ("aws:route53/record:Record", _set("ttl", -5), "ttl"),  # below 0
    ("aws:ssm/parameter:Parameter", _set("tier", "Premium"), "tier"),  # not in the enum
    ("aws:acm/certificate:Certificate", _set("key_algorithm", "RSA_8192"), "keyAlgorithm"),
    ("aws:cloudfront/distribution:Distribution", _set("price_class", "PriceClass_Everything"), "priceClass"),
]


def _plant(monkeypatch) -> None:
    def transformation(args: pulumi.ResourceTransformationArgs):
        changes = [change for type_, change, _ in PLANTED if type_ == args.type_]
        if not changes:
            return None
        props = dict(args.props)
        for change in changes:
            change(props)
        return pulumi.ResourceTransformationResult(props, args.opts)

    original = settings.engine.engine_settings

    def with_transformation():
        pulumi.runtime.register_stack_transformation(transformation)
        return original()

    monkeypatch.setattr(settings.engine, "engine_settings", with_transformation)


def test_the_plants_span_enough_values_and_types():
    assert len(PLANTED) >= 15 and len({type_ for type_, _, _ in PLANTED}) >= 8


def test_every_value_aws_would_refuse_is_reported_and_prod_is_not_ready(monkeypatch):
    _plant(monkeypatch)
    config = stack_config("prod")
    preview = run_preview(config, validate(config))
    failures = [c for c in preview.checks if c.id == "aws-inputs-valid" and c.status == "fail"]
    assert all(c.mandatory for c in failures)
    missing = [
        (type_, path)
        for type_, _, path in PLANTED
        if not any(c.resource and f"{type_}::" in c.resource and f": {path} = " in c.reason for c in failures)
    ]
    assert missing == []
    assert preview.exit_code == EXIT_NOT_READY
