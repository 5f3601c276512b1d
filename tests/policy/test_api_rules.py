"""The AWS API rules: the mapping against botocore's models, the Java pattern translation,
and the pure check of one resource (each kind of constraint passes a good value and
catches a bad one)."""

from __future__ import annotations

from collections import Counter

import pytest
from google.protobuf import json_format
from pulumi_policy.deserialize import deserialize_properties

from golive.analyzer import engine_properties
from policy.api_rules import inventory, models
from policy.api_rules.check import UNKNOWN, Secret, check, clear_caches, member_of
from policy.api_rules.extra import EXTRAS, doc_text
from policy.api_rules.javaregex import Untranslatable, compile_java, translate
from policy.api_rules.mapping import MAPPING, NOT_CHECKED, F
from policy.api_rules.models import Member, ModelError, service
from policy.api_rules.rules import model_rules
from policy.policies.aws_inputs import plain

ENTRIES = [(token, entry.service, field) for token, entry in MAPPING.items() for field in entry.fields]


def _graph(previews, stack):
    for registration in previews(stack).result.resources:
        if registration.type.startswith("aws:"):
            props = deserialize_properties(json_format.MessageToDict(engine_properties(registration.raw_inputs)))
            yield registration, plain(props)


# --- the mapping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("token, service_name, field", ENTRIES, ids=[f"{t}:{f.input}" for t, _, f in ENTRIES])
def test_every_mapped_member_exists_in_the_botocore_model(token, service_name, field):
    member = member_of(service_name, field.operation, field.member)
    assert member.shape.get("type")


def test_a_misspelt_member_is_refused_with_the_step_that_is_missing():
    with pytest.raises(ModelError, match="'Descripton' is not a member"):
        service("ec2").member("AuthorizeSecurityGroupIngress", "IpPermissions[].IpRanges[].Descripton")
    with pytest.raises(ModelError, match="no operation"):
        service("ec2").member("AuthorizeSecurityGroupIngres", "GroupId")


def test_an_entry_marked_required_is_required_in_the_model():
    required = [(e.service, f) for e in MAPPING.values() for f in e.fields if isinstance(f, F) and f.required]
    assert required
    for service_name, field in required:
        assert member_of(service_name, field.operation, field.member).required, field


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_aws_type_of_the_stacks_is_mapped(previews, stack):
    types = {r.type for r, _ in _graph(previews, stack)}
    assert types and types - set(MAPPING) - set(NOT_CHECKED) == set()


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_input_the_stacks_set_is_mapped_or_provider_only(previews, stack):
    unmapped = {(r.type, path) for r, props in _graph(previews, stack) for path in check(r.type, props).unmapped}
    assert unmapped == set()


def test_the_common_types_users_add_are_mapped():
    common = {
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:iam/policy:Policy",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:wafv2/ipSet:IpSet",
        "aws:wafv2/ruleGroup:RuleGroup",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/cachePolicy:CachePolicy",
        "aws:route53/zone:Zone",
        "aws:cloudwatch/logStream:LogStream",
    }
    assert common <= set(MAPPING)


@pytest.mark.parametrize("extra", EXTRAS, ids=[f"{e.service}:{e.structure}.{e.member}:{e.kind}" for e in EXTRAS])
def test_each_extra_rule_is_stated_in_the_members_model_documentation(extra):
    import botocore.loaders  # the check itself drops the documentation; read the full model here

    shapes = botocore.loaders.Loader().load_service_model(extra.service, "service-2")["shapes"]
    reference = shapes[extra.structure]["members"][extra.member]
    documentation = reference.get("documentation", "") or shapes[reference["shape"]].get("documentation", "")
    assert extra.evidence in doc_text(documentation)


def test_the_constraints_the_mapping_checks_are_counted():
    found = inventory.constraints()
    kinds = Counter(c.kind for c in found)
    assert set(kinds) == {"pattern", "length", "range", "enum", "count", "required"}
    assert len(found) > 500 and len({c.type_token for c in found}) >= 40


def test_every_pattern_of_a_mapped_member_is_checked():
    assert inventory.not_checked() == []


# --- Java patterns in Python ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, good, bad",
    [
        (r"[\w+=,.@-]+", ["role-name_1", "a@b.c"], ["rôle", "has space", ""]),  # Java's \w is ASCII
        (r"\d{12}", ["123456789012"], ["١٢٣٤٥٦٧٨٩٠١٢"]),  # and so is \d
        (r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", ["héllo wörld", "ключ", "objectos:stack"], ["it's", "emoji😀"]),
        (r"[a-z&&[^aeiou]]+", ["bcd"], ["bad"]),  # intersection
        (r"[a-z[0-9]]+", ["a1"], ["A"]),  # nested class: union
        (r"[a-z-\d]+", ["a-1"], ["A"]),  # '-' before a class escape is a literal
        (r"\x{1F600}", ["😀"], ["x"]),
        (r"[\uD800\uDC00-\uDBFF\uDFFF]", ["😀"], ["a"]),  # a surrogate pair is one code point
        (r"\Qa.b\E", ["a.b"], ["axb"]),
        (r".+", ["abc"], ["a\u2028b", "a\rb"]),  # '.' stops at every Java line terminator
        (r"\p{ASCII}+", ["abc"], ["é"]),
        (r"(?<name>a)\k<name>", ["aa"], ["ab"]),
        (r"ab", ["ab"], ["abc", "xab"]),  # AWS matches the whole value, anchored or not
        (r"^[\w\-]+$", ["rule-1"], ["rule 1"]),
    ],
)
def test_java_patterns_mean_the_same_in_python(pattern, good, bad):
    compiled = compile_java(pattern)
    assert all(compiled.fullmatch(value) for value in good), translate(pattern)
    assert not any(compiled.fullmatch(value) for value in bad), translate(pattern)


@pytest.mark.parametrize("pattern", [r"\Gabc", r"\p{NoSuchClass}", r"[abc", r"a(?i)b**"])
def test_a_pattern_with_no_faithful_translation_is_refused(pattern):
    with pytest.raises(Untranslatable):
        compile_java(pattern)


def test_a_rule_python_cannot_compile_is_reported_not_checked_and_nothing_crashes():
    member = Member(
        "svc",
        "Op",
        "Name",
        "Odd",
        {"type": "string", "pattern": r"\Gx", "max": 3},
        False,
        False,
        "botocore/data/svc/1/service-2.json",
    )
    rules, not_checked = model_rules(member)
    assert [r.kind for r in rules] == ["type", "length"]
    assert len(not_checked) == 1 and "\\G" in not_checked[0].reason and "Op Name" in not_checked[0].source


# --- the pure check -----------------------------------------------------------------------------------

ROLE = "aws:iam/role:Role"
POLICY = '{"Version": "2012-10-17", "Statement": []}'


def violations(token, props):
    return [(v.path, v.rule) for v in check(token, props).violations]


def paths(token, props):
    return [v.path for v in check(token, props).violations]


@pytest.mark.parametrize(
    "kind, token, good, bad, path",
    [
        (
            "pattern",
            ROLE,
            {"name": "objectos-prod", "assumeRolePolicy": POLICY},
            {"name": "objectos prod", "assumeRolePolicy": POLICY},
            "name",
        ),
        ("length", "aws:kms/key:Key", {"description": "k" * 8192}, {"description": "k" * 8193}, "description"),
        (
            "range",
            ROLE,
            {"maxSessionDuration": 3600.0, "assumeRolePolicy": POLICY},
            {"maxSessionDuration": 100.0, "assumeRolePolicy": POLICY},
            "maxSessionDuration",
        ),
        (
            "enum",
            "aws:acm/certificate:Certificate",
            {"keyAlgorithm": "RSA_2048"},
            {"keyAlgorithm": "RSA_8192"},
            "keyAlgorithm",
        ),
        ("required", ROLE, {"assumeRolePolicy": POLICY}, {"name": "objectos-prod"}, "assumeRolePolicy"),
        (
            "count",
            "aws:acm/certificate:Certificate",
            {"subjectAlternativeNames": ["a.example.com"] * 100},
            {"subjectAlternativeNames": ["a.example.com"] * 101},
            "subjectAlternativeNames",
        ),
        (
            "documented enum",
            "aws:cloudwatch/logGroup:LogGroup",
            {"retentionInDays": 2557.0},
            {"retentionInDays": 42.0},
            "retentionInDays",
        ),
        (
            "documented pattern",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            {"description": "HTTPS from the CDN"},
            {"description": "HTTPS from the CDN's servers"},
            "description",
        ),
        ("whole number", "aws:route53/record:Record", {"ttl": 60.0}, {"ttl": 60.5}, "ttl"),
    ],
)
def test_each_constraint_passes_a_good_value_and_catches_a_bad_one(kind, token, good, bad, path):
    assert paths(token, good) == []
    assert paths(token, bad) == [path]


def test_a_violation_names_the_path_the_value_the_rule_and_its_source():
    [violation] = check(ROLE, {"name": "bad name", "assumeRolePolicy": POLICY}).violations
    message = violation.message("objectos-secrets-workload")
    assert message.startswith("objectos-secrets-workload: name = 'bad name' fails AWS's rule: it must match")
    assert "botocore/data/iam/2010-05-08/service-2.json CreateRole RoleName" in message


def test_nested_lists_and_maps_report_the_element_at_fault():
    props = {"ingress": [{"description": "ok"}, {"description": "pods' port"}], "tags": {"bad key!": "v"}}
    assert paths("aws:ec2/securityGroup:SecurityGroup", props) == ["ingress[1].description"]
    bad_tag = check(ROLE, {"assumeRolePolicy": POLICY, "tags": {"bad key!": "v", "ok": "v"}}).violations
    assert [v.path for v in bad_tag] == ["tags{bad key!} (key)"]


def test_lengths_count_utf16_units_as_java_does():
    token = "aws:secretsmanager/secret:Secret"
    assert paths(token, {"tags": {"😀" * 64: "v"}}) == []
    assert paths(token, {"tags": {"😀" * 65: "v"}}) == ["tags{" + "😀" * 65 + "} (key)"]


def test_a_subtree_is_matched_to_the_api_members_by_name():
    rule = {
        "name": "auth-rate-limit",
        "priority": 10.0,
        "statement": {"rateBasedStatement": {"limit": 5.0, "aggregateKeyType": "IP", "evaluationWindowSec": 90.0}},
        "visibilityConfig": {
            "metricName": "auth rate",
            "sampledRequestsEnabled": True,
            "cloudwatchMetricsEnabled": True,
        },
        "someFutureKey": {"x": 1},
    }
    outcome = check("aws:wafv2/webAcl:WebAcl", {"rules": [rule]})
    assert sorted(v.path for v in outcome.violations) == [
        "rules[0].statement.rateBasedStatement.evaluationWindowSec",
        "rules[0].statement.rateBasedStatement.limit",
        "rules[0].visibilityConfig.metricName",
    ]
    assert outcome.unmapped == ["rules[0].someFutureKey"]


def test_an_unknown_value_is_not_judged_and_not_a_violation():
    outcome = check(ROLE, {"name": UNKNOWN, "assumeRolePolicy": POLICY, "tags": UNKNOWN})
    assert outcome.violations == [] and sorted(outcome.not_judged) == ["name", "tags"]


def test_secret_values_are_judged_but_never_shown():
    token = "aws:elasticache/replicationGroup:ReplicationGroup"
    for props in (
        {"authToken": "short'token", "description": "d"},
        {"authToken": Secret("short'token"), "description": "d"},
    ):
        [violation] = check(token, props).violations
        assert violation.path == "authToken" and "short" not in violation.message("redis")
        assert "secret value, not shown" in violation.value
    [sensitive] = check("aws:secretsmanager/secretVersion:SecretVersion", {"secretString": ""}).violations
    assert "secret value" in sensitive.value  # the model marks SecretString sensitive


@pytest.mark.parametrize(
    "props",
    [
        {"description": ["a", "list"]},
        {"description": {"nested": ["junk"]}},
        {"ingress": "not-a-list"},
        {"ingress": [["nested"], 5, None]},
        {"tags": ["k", "v"]},
        {"description": 3.0, "ingress": [{"fromPort": "eighty"}]},
    ],
)
def test_odd_input_is_a_finding_on_the_resource_never_a_crash(props):
    outcome = check("aws:ec2/securityGroup:SecurityGroup", props)
    assert outcome.violations and all(v.rule for v in outcome.violations)


def test_a_type_with_no_mapping_is_not_judged():
    assert check("aws:lb/loadBalancer:LoadBalancer", {"name": "x"}) is None


def test_only_the_services_a_graph_uses_are_loaded():
    clear_caches()
    check("aws:kms/alias:Alias", {"name": "alias/ok"})
    assert set(models.LOADED) == {"kms"}


def test_the_docs_state_the_counts_the_mapping_has():
    from tests.conftest import ROOT

    text = " ".join((ROOT / "docs" / "policies.md").read_text(encoding="utf-8").split())
    assert f"{len(MAPPING)} resource types are mapped" in text
    assert f"with {len(inventory.constraints())} constraints counted" in text


def test_the_model_read_is_the_one_botocore_itself_would_load():
    import botocore.loaders

    loader = botocore.loaders.Loader()
    for name in sorted({entry.service for entry in MAPPING.values()}):
        assert service(name).version == loader.determine_latest_version(name, "service-2"), name
