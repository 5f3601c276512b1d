"""The Terraform-plan export: real Terraform types, the provider's attribute names, no secret values."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from golive import preview as preview_mod
from golive.terraform_plan import exported, fields_of, resource_class, terraform_plan, terraform_type
from testing.mocks import Secret, Unknown

STACKS = ("dev", "staging", "prod")
SNAKE = re.compile(r"[a-z][a-z0-9_]*$")

# The Terraform twin of every type the kit's stacks emit, as the Terraform AWS provider's docs name it
# (registry: hashicorp/aws 6.x, hashicorp/random 3.x). Written down by hand, apart from the export's
# rule, so a wrong rule shows here; a new type in the kit needs its line.
TERRAFORM_TYPES = {
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": "aws_backup_restore_testing_plan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": "aws_backup_restore_testing_selection",
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "aws_backup_vault_lock_configuration",
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "aws_db_cluster_snapshot",
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "aws_s3_bucket_object_lock_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "aws_secretsmanager_secret_policy",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:ssm/parameter:Parameter": "aws_ssm_parameter",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "random:index/randomBytes:RandomBytes": "random_bytes",
    "random:index/randomId:RandomId": "random_id",
    "random:index/randomPassword:RandomPassword": "random_password",
}


@pytest.fixture(scope="module")
def plans(previews) -> dict[str, tuple[Any, dict[str, Any]]]:
    return {s: (previews(s), terraform_plan(previews(s).result.resources)) for s in STACKS}


def resources(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in plan["planned_values"]["root_module"]["resources"]}


def of_type(plan: dict[str, Any], tf_type: str) -> list[dict[str, Any]]:
    return [r for r in resources(plan).values() if r["type"] == tf_type]


# --- types ---------------------------------------------------------------------------------------


def test_every_type_the_stacks_emit_maps_to_its_terraform_twin(plans):
    for stack, (preview, _) in plans.items():
        for registration in exported(preview.result.resources):
            if registration.type.startswith("kubernetes:"):
                continue
            assert registration.type in TERRAFORM_TYPES, f"{stack}: {registration.type} has no expected Terraform type"
            assert terraform_type(registration.type) == TERRAFORM_TYPES[registration.type]


def test_every_expected_type_is_a_resource_class_of_the_installed_sdk():
    missing = [token for token in TERRAFORM_TYPES if resource_class(token) is None]
    assert not missing


def test_kubernetes_objects_become_kubernetes_manifest_resources_holding_the_manifest(plans):
    _, plan = plans["prod"]
    (deployment,) = [r for r in of_type(plan, "kubernetes_manifest") if r["values"]["manifest"]["kind"] == "Deployment"]
    assert deployment["provider_name"] == "registry.terraform.io/hashicorp/kubernetes"
    assert deployment["values"]["manifest"]["apiVersion"] == "apps/v1"
    assert deployment["values"]["manifest"]["spec"]["template"]["spec"]["containers"]


def test_components_providers_and_the_stack_are_not_in_the_plan(plans):
    _, plan = plans["prod"]
    assert not [a for a in resources(plan) if a.startswith(("objectos", "pulumi"))]


def test_addresses_are_unique_terraform_names(plans):
    for _, plan in plans.values():
        addresses = [r["address"] for r in plan["planned_values"]["root_module"]["resources"]]
        assert len(addresses) == len(set(addresses))
        assert all(re.fullmatch(r"[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*", a) for a in addresses)


# --- attributes ----------------------------------------------------------------------------------


def attribute_names(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(path, name) of every attribute: top-level keys and the keys of block objects (lists of objects).
    A mapping outside a list is a map attribute (tags): its keys are data, not names."""
    found = []
    for name, inner in value.items():
        found.append((path, name))
        if isinstance(inner, list):
            for item in inner:
                if isinstance(item, dict):
                    found += attribute_names(item, f"{path}{name}.")
    return found


def test_attribute_names_are_snake_case_everywhere(plans):
    for stack, (_, plan) in plans.items():
        for address, resource in resources(plan).items():
            if resource["type"] == "kubernetes_manifest":
                continue
            bad = [f"{p}{n}" for p, n in attribute_names(resource["values"]) if not SNAKE.match(n)]
            assert not bad, f"{stack} {address}: {bad}"


def test_list_blocks_take_the_provider_s_singular_names_not_the_bridge_s_plurals(plans):
    _, plan = plans["prod"]
    (acl,) = of_type(plan, "aws_wafv2_web_acl")
    assert "rule" in acl["values"] and "rules" not in acl["values"]
    assert acl["values"]["rule"][0]["statement"][0]["rate_based_statement"][0]["limit"] > 0
    (distribution,) = of_type(plan, "aws_cloudfront_distribution")
    assert "origin" in distribution["values"] and "origins" not in distribution["values"]
    (policy,) = of_type(plan, "aws_cloudfront_response_headers_policy")
    removed = policy["values"]["remove_headers_config"][0]
    assert "items" in removed  # Terraform's name is plural already: kept
    for sse in of_type(plan, "aws_s3_bucket_server_side_encryption_configuration"):
        assert "rule" in sse["values"]


def test_a_block_of_at_most_one_item_is_a_list_of_one_object_as_in_a_terraform_plan(plans):
    _, plan = plans["prod"]
    (distribution,) = of_type(plan, "aws_cloudfront_distribution")
    (certificate,) = distribution["values"]["viewer_certificate"]
    assert certificate["minimum_protocol_version"].startswith("TLSv1.2")
    (acl,) = of_type(plan, "aws_wafv2_web_acl")
    assert isinstance(acl["values"]["tags"], dict)  # a map stays a map


# --- round trips ---------------------------------------------------------------------------------


def back_to_inputs(values: dict[str, Any], cls: type, nested: bool = False) -> dict[str, Any]:
    """Terraform attributes -> Pulumi inputs through the same SDK tables, the other way."""
    by_terraform = {f.terraform: (pulumi_name, f) for pulumi_name, f in fields_of(cls, nested).items()}
    found: dict[str, Any] = {}
    for name, value in values.items():
        pulumi_name, field = by_terraform[name]
        if field.kind == "block":
            items = [back_to_inputs(v, field.schema, True) for v in value]
            flattened = isinstance(field.schema, type) and not _is_list(cls, pulumi_name, nested)
            found[pulumi_name] = items[0] if flattened else items
        else:
            found[pulumi_name] = value
    return found


def _is_list(cls: type, pulumi_name: str, nested: bool) -> bool:
    import typing

    from pulumi import _types

    types = _types.output_type_types(cls) if nested else _types.resource_types(cls)
    hint = _types.unwrap_type(types[pulumi_name])
    return typing.get_origin(hint) is not None


def plain(value: Any) -> Any:
    if isinstance(value, (Secret, Unknown)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if not isinstance(v, (Secret, Unknown)) and k != "__defaults"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


MAIN_TYPES = (
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:wafv2/webAcl:WebAcl",
    "aws:cloudfront/distribution:Distribution",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:kms/key:Key",
    "aws:backup/plan:Plan",
    "aws:secretsmanager/secretVersion:SecretVersion",
)


@pytest.mark.parametrize("token", MAIN_TYPES)
def test_each_main_type_round_trips_to_the_same_inputs(plans, token):
    preview, plan = plans["prod"]
    by_name = {r["name"]: r for r in resources(plan).values()}
    registrations = [r for r in preview.result.resources if r.type == token]
    assert registrations, f"prod emits no {token}"
    for registration in registrations:
        exported_values = by_name[registration.name]["values"]
        assert back_to_inputs(exported_values, resource_class(token)) == plain(registration.inputs)


# --- secrets -------------------------------------------------------------------------------------


def test_no_secret_value_is_in_the_plan_and_each_is_marked_sensitive(plans):
    from golive.plan import secret_texts

    preview, plan = plans["prod"]
    text = json.dumps(plan)
    secrets = secret_texts(preview.result)
    assert secrets and not [s for s in secrets if s in text]
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    versions = [a for a in changes if a.startswith("aws_secretsmanager_secret_version.")]
    assert versions
    for address in versions:
        assert changes[address]["after_sensitive"]["secret_string"] is True
        assert "secret_string" not in changes[address]["after"]


def test_a_secret_text_inside_a_plain_string_is_cut_out(plans):
    preview, _ = plans["prod"]
    (record,) = [r for r in preview.result.resources if r.type == "aws:ssm/parameter:Parameter"]
    planted = "s3cr3t-planted-value"
    leaky = dataclasses.replace(record, inputs={**record.inputs, "description": f"holds {planted}"})
    plan = terraform_plan([leaky], frozenset({planted}))
    assert planted not in json.dumps(plan)


# --- the document and the option ----------------------------------------------------------------


def test_the_document_has_the_shape_of_terraform_show_json(plans):
    _, plan = plans["staging"]
    assert plan["format_version"] and plan["terraform_version"]
    planned = plan["planned_values"]["root_module"]["resources"]
    changes = plan["resource_changes"]
    assert [r["address"] for r in planned] == [c["address"] for c in changes]
    assert all(c["change"]["actions"] == ["create"] and c["change"]["before"] is None for c in changes)
    assert all(r["mode"] == "managed" and r["provider_name"].startswith("registry.terraform.io/") for r in planned)


def test_a_resource_that_takes_another_s_output_references_it_in_the_configuration(plans):
    _, plan = plans["prod"]
    configured = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    sse = next(a for a in configured if a.endswith("objectos-audit-encryption"))
    refs = configured[sse]["expressions"]["bucket"]["references"]
    assert "aws_s3_bucket.objectos-audit-bucket" in refs


def test_the_preview_writes_the_plan_as_json(previews):
    text = preview_mod.terraform_plan_text(previews("dev"))
    assert json.loads(text)["resource_changes"]


def test_the_terraform_plan_and_another_document_may_not_both_go_to_stdout():
    err = io.StringIO()
    code = preview_mod.main("dev", None, Path("-"), terraform_plan_path=Path("-"), err=err, out=io.StringIO())
    assert code == preview_mod.EXIT_INVALID
    assert "--terraform-plan" in err.getvalue()
