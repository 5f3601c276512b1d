"""Redis for more than one pod: private, encrypted in transit and at rest, AUTH required, failover with a replica."""

from __future__ import annotations

import pytest

from components.redis_cache import (
    RedisCache,
    RedisCacheArgs,
    connection_url,
    failover,
    parameter_group_family,
    replication_group_id,
)
from testing.mocks import Secret
from tests.conftest import by_type, one, run_components

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
APP_SG = "sg-0123456789abcdef0"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TOKEN = "Tok3n-with!&$-symbols-0123456789abcdef"
OPEN = {"0.0.0.0/0", "::/0"}


# --- pure decisions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "engine, version, family",
    [
        ("valkey", "8.0", "valkey8"),
        ("valkey", "7.2", "valkey7"),
        ("redis", "7.1", "redis7"),
        ("redis", "6.2", "redis6.x"),
    ],
)
def test_the_parameter_group_family_follows_engine_and_major_version(engine, version, family):
    assert parameter_group_family(engine, version) == family


def test_an_unsupported_engine_version_is_refused():
    with pytest.raises(ValueError, match="not supported"):
        parameter_group_family("redis", "5.0.6")


@pytest.mark.parametrize(
    "name, group_id",
    [("objectos-prod", "objectos-prod"), ("objectos-Feature_X.1", "objectos-feature-x-1"), ("9lives", "r-9lives"),
     ("objectos-" + "a" * 50, "objectos-" + "a" * 31)],
)  # fmt: skip
def test_replication_group_ids_follow_elasticache_naming(name, group_id):
    assert replication_group_id(name) == group_id


def test_the_url_is_tls_with_the_token_as_password():
    host = "master.x.cache.amazonaws.com"
    assert connection_url("abc!&$-", host) == f"rediss://:abc!&$-@{host}:6379"


def test_url_breaking_token_characters_are_escaped():
    assert connection_url("a#b^c<d>e", "h") == "rediss://:a%23b%5Ec%3Cd%3Ee@h:6379"


def test_failover_needs_a_replica():
    assert (failover(0), failover(1)) == (False, True)


# --- the component under mocks ---------------------------------------------------------


def make_cache(replicas: int = 1):
    def body() -> None:
        RedisCache(
            "r",
            RedisCacheArgs(
                group_id="objectos-test", vpc_id="vpc-0123456789abcdef0",
                subnet_ids=["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                client_security_group_id=APP_SG, kms_key_arn=KEY_ARN, auth_token=TOKEN,
                log_group_name="/objectos/test/redis/slow-log", log_retention_days=30, replicas=replicas,
                snapshot_retention_days=5, url_secret_id="arn:aws:secretsmanager:eu-west-1:123456789012:secret:u",
                tags={"objectos:stack": "test"},
            ),
        )  # fmt: skip

    return run_components(body)


@pytest.fixture(scope="module")
def cache():
    return make_cache()


def test_transit_encryption_is_required(cache):
    group = one(cache, GROUP).inputs
    assert group["transitEncryptionEnabled"] is True and group["transitEncryptionMode"] == "required"


def test_data_at_rest_is_encrypted_with_the_kit_key(cache):
    group = one(cache, GROUP).inputs
    assert group["atRestEncryptionEnabled"] is True and group["kmsKeyId"] == KEY_ARN


def test_the_auth_token_is_set_and_secret(cache):
    assert one(cache, GROUP).inputs["authToken"] == Secret(TOKEN)


def test_a_replica_brings_failover_and_multi_az(cache):
    group = one(cache, GROUP).inputs
    assert (group["numCacheClusters"], group["automaticFailoverEnabled"], group["multiAzEnabled"]) == (2, True, True)


def test_a_single_node_has_neither_failover_nor_multi_az():
    group = one(make_cache(replicas=0), GROUP).inputs
    assert (group["numCacheClusters"], group["automaticFailoverEnabled"], group["multiAzEnabled"]) == (1, False, False)


def test_the_replication_group_is_protected_and_keeps_snapshots(cache):
    group = one(cache, GROUP)
    assert group.protect and group.inputs["snapshotRetentionLimit"] == 5


def test_only_the_app_security_group_reaches_port_6379(cache):
    (rule,) = one(cache, SECURITY_GROUP).inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"], rule["securityGroups"]) == ("tcp", 6379, 6379, [APP_SG])
    assert not rule.get("cidrBlocks") and not rule.get("ipv6CidrBlocks")


def test_the_security_group_opens_nothing_to_the_internet(cache):
    group = one(cache, SECURITY_GROUP).inputs
    assert group["egress"] == []
    for rule in group["ingress"]:
        assert not OPEN & set(rule.get("cidrBlocks", []) + rule.get("ipv6CidrBlocks", []))


def test_the_cache_lives_in_its_own_private_subnet_group(cache):
    subnets = one(cache, "aws:elasticache/subnetGroup:SubnetGroup").inputs
    group = one(cache, GROUP).inputs
    assert subnets["subnetIds"] == ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    assert group["subnetGroupName"] == subnets["name"]


def test_a_parameter_group_of_the_engine_family_is_used(cache):
    parameters = one(cache, "aws:elasticache/parameterGroup:ParameterGroup").inputs
    assert parameters["family"] == "valkey8" and one(cache, GROUP).inputs["parameterGroupName"] == parameters["name"]


def test_the_slow_log_goes_to_an_encrypted_log_group_with_retention(cache):
    log_group = one(cache, LOG_GROUP).inputs
    (delivery,) = one(cache, GROUP).inputs["logDeliveryConfigurations"]
    assert (delivery["logType"], delivery["destinationType"]) == ("slow-log", "cloudwatch-logs")
    assert delivery["destination"] == log_group["name"] == "/objectos/test/redis/slow-log"
    assert (log_group["retentionInDays"], log_group["kmsKeyId"]) == (30, KEY_ARN)


def test_the_url_is_written_to_its_entry_as_a_secret(cache):
    version = one(cache, VERSION).inputs
    host = "master.objectos-test.x1y2z3.eu-west-1.cache.amazonaws.com"
    assert version["secretString"] == Secret(f"rediss://:{TOKEN}@{host}:6379")


def test_every_resource_is_tagged_with_the_stack(cache):
    for registration in cache.resources:
        if registration.custom and registration.type != VERSION:
            assert registration.inputs["tags"]["objectos:stack"] == "test", registration.type


# --- the stacks ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_production_shaped_stacks_fail_over_across_zones(previews, stack):
    group = one(previews(stack).result, GROUP).inputs
    assert group["automaticFailoverEnabled"] is True and group["multiAzEnabled"] is True


def test_prod_redis_uses_the_secrets_key_and_token(previews):
    result = previews("prod").result
    group = one(result, GROUP)
    (key,) = [r for r in by_type(result, "aws:kms/key:Key") if r.name == "objectos-secrets-key"]
    (token,) = [r for r in by_type(result, VERSION) if r.name == "objectos-secrets-redis-auth-token-value"]
    assert group.inputs["kmsKeyId"].endswith(f":{key.name}")
    assert group.inputs["authToken"] == token.inputs["secretString"]


def test_the_app_security_group_is_the_only_source(previews):
    settings = previews("prod").settings
    (sg,) = [r for r in by_type(previews("prod").result, SECURITY_GROUP) if r.name == "objectos-redis-sg"]
    assert [rule["securityGroups"] for rule in sg.inputs["ingress"]] == [[settings.network.app_security_group_id]]


def test_the_stack_exports_the_primary_endpoint_the_pods_connect_to(previews):
    result = previews("prod").result
    endpoint = one(result, "objectos:index:RedisCache").outputs["primary_endpoint"]
    assert endpoint.startswith(f"master.{one(result, GROUP).inputs['replicationGroupId']}.")
    assert result.outputs["redis_endpoint"] == endpoint
