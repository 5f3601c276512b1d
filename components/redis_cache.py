"""RedisCache: the shared ElastiCache (Valkey or Redis) the runtime's cluster driver needs for more than one pod.

Private subnets only, a security group that admits 6379 from the app's security
group and nothing else, TLS required, encryption at rest with the kit's KMS key,
an AUTH token, failover and multi-AZ whenever there is a replica, slow-log
delivery to an encrypted log group. The rediss:// URL is a Pulumi secret and is
written into the given Secrets Manager entry.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import quote

import pulumi
import pulumi_aws as aws

from .inputs import args_of, fill_defaults, filled

PORT = 6379
GROUP_ID_MAX = 40  # ElastiCache replication group ids
# RFC 3986 userinfo keeps sub-delims as they are; everything else is percent-encoded.
USERINFO_SAFE = "!$&'()*+,;="


# --- pure decisions ------------------------------------------------------------------


def parameter_group_family(engine: str, version: str) -> str:
    """valkey8, redis7, redis6.x: the family ElastiCache expects for an engine version."""
    major = version.split(".")[0]
    if not major.isdigit():
        raise ValueError(f"engine version '{version}' does not start with a major version number")
    if engine == "valkey":
        return f"valkey{major}"
    if engine == "redis" and int(major) >= 7:
        return f"redis{major}"
    if engine == "redis" and major == "6":
        return "redis6.x"
    raise ValueError(f"{engine} {version} is not supported; use valkey 7 or later, or redis 6 or later")


def replication_group_id(name: str) -> str:
    """Lowercase letters, digits and single hyphens, starting with a letter, at most 40 characters."""
    cleaned = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]", "-", name.lower())).strip("-")
    if not cleaned[:1].isalpha():
        cleaned = f"r-{cleaned}"
    return cleaned[:GROUP_ID_MAX].rstrip("-")


def connection_url(token: str, host: str, port: int = PORT) -> str:
    """rediss:// (TLS) with the AUTH token as the password."""
    return f"rediss://:{quote(token, safe=USERINFO_SAFE)}@{host}:{port}"


def failover(replicas: int) -> bool:
    """Automatic failover and multi-AZ need a replica to promote."""
    return replicas >= 1


# --- the component -----------------------------------------------------------------


@dataclass
class RedisCacheArgs:
    """Inputs of RedisCache."""

    vpc_id: str
    """VPC of the cache and its security group."""
    subnet_ids: Sequence[str]
    """Private subnets (two or more, in different zones for multi-AZ)."""
    client_security_group_id: str
    """The only security group admitted on port 6379 (the app's pods or nodes)."""
    kms_key_arn: pulumi.Input[str]
    """Customer-managed KMS key for data at rest and the slow-log group."""
    auth_token: pulumi.Input[str]
    """AUTH token: 16-128 printable characters, symbols only from ! & # $ ^ < > -."""
    log_group_name: str
    """CloudWatch log group for the slow log (the key policy must admit it)."""
    group_id: str
    """Replication group id (sanitised to ElastiCache's rules)."""
    engine: Optional[str] = "valkey"
    """valkey or redis."""
    engine_version: Optional[str] = "8.0"
    """Engine version."""
    node_type: Optional[str] = "cache.t4g.small"
    """Node type."""
    replicas: Optional[int] = 1
    """Replicas besides the primary; one or more turns on failover and multi-AZ."""
    snapshot_retention_days: Optional[int] = 7
    """Days automatic snapshots are kept (0: none)."""
    log_retention_days: Optional[int] = 30
    """Retention of the slow-log group (a CloudWatch Logs value)."""
    url_secret_id: Optional[pulumi.Input[str]] = None
    """Secrets Manager entry that receives the rediss:// URL."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on every AWS resource."""

    def __post_init__(self) -> None:
        fill_defaults(self)


class RedisCache(pulumi.ComponentResource):
    """An encrypted, authenticated ElastiCache replication group reachable only from the app."""

    url: pulumi.Output[str]
    """rediss://:<token>@<primary endpoint>:6379, a Pulumi secret."""
    primary_endpoint: pulumi.Output[str]
    """The primary endpoint's host name."""
    security_group_id: pulumi.Output[str]
    """The cache's security group."""
    replication_group_id: pulumi.Output[str]
    """The replication group id."""

    def __init__(self, name: str, args: RedisCacheArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:RedisCache", name, None, opts)
        args = args_of(RedisCacheArgs, args)
        tags = dict(filled(args.tags))
        child = pulumi.ResourceOptions(parent=self)
        group_id = replication_group_id(args.group_id)

        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            aws.ec2.SecurityGroupArgs(
                description=f"{group_id}: Redis TLS from the ObjectOS pods only",
                vpc_id=args.vpc_id,
                ingress=[
                    aws.ec2.SecurityGroupIngressArgs(
                        description="ObjectOS pods",
                        protocol="tcp",
                        from_port=PORT,
                        to_port=PORT,
                        security_groups=[args.client_security_group_id],
                    )
                ],
                egress=[],  # a cache opens no connections
                revoke_rules_on_delete=True,
                tags=tags,
            ),
            opts=child,
        )
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            aws.elasticache.SubnetGroupArgs(
                name=group_id, description=f"{group_id}: private subnets", subnet_ids=list(args.subnet_ids), tags=tags
            ),
            opts=child,
        )
        parameters = aws.elasticache.ParameterGroup(
            f"{name}-params",
            aws.elasticache.ParameterGroupArgs(
                name=group_id,
                family=parameter_group_family(filled(args.engine), filled(args.engine_version)),
                description=f"{group_id}: engine parameters",
                tags=tags,
            ),
            opts=child,
        )
        slow_log = aws.cloudwatch.LogGroup(
            f"{name}-slow-log",
            aws.cloudwatch.LogGroupArgs(
                name=args.log_group_name,
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                tags=tags,
            ),
            opts=child,
        )
        replicas = filled(args.replicas)
        with_failover = failover(replicas)
        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            aws.elasticache.ReplicationGroupArgs(
                replication_group_id=group_id,
                description=f"ObjectOS cluster coordination ({group_id})",
                engine=args.engine,
                engine_version=args.engine_version,
                node_type=args.node_type,
                num_cache_clusters=1 + replicas,
                automatic_failover_enabled=with_failover,
                multi_az_enabled=with_failover,
                port=PORT,
                subnet_group_name=subnets.name,
                security_group_ids=[security_group.id],
                parameter_group_name=parameters.name,
                at_rest_encryption_enabled=True,
                kms_key_id=args.kms_key_arn,
                transit_encryption_enabled=True,
                transit_encryption_mode="required",
                auth_token=pulumi.Output.secret(args.auth_token),
                # ROTATE keeps the old token valid until the pods have the new URL.
                auth_token_update_strategy="ROTATE",
                snapshot_retention_limit=args.snapshot_retention_days,
                auto_minor_version_upgrade=True,
                log_delivery_configurations=[
                    aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                        destination=slow_log.name,
                        destination_type="cloudwatch-logs",
                        log_format="json",
                        log_type="slow-log",
                    )
                ],
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )

        self.primary_endpoint = group.primary_endpoint_address
        self.url = pulumi.Output.secret(
            pulumi.Output.all(args.auth_token, group.primary_endpoint_address).apply(
                lambda values: connection_url(values[0], values[1])
            )
        )
        if args.url_secret_id is not None:
            aws.secretsmanager.SecretVersion(
                f"{name}-url-value",
                aws.secretsmanager.SecretVersionArgs(secret_id=args.url_secret_id, secret_string=self.url),
                opts=child,
            )
        self.security_group_id = security_group.id
        self.replication_group_id = group.replication_group_id
        self.register_outputs(
            {
                "url": self.url,
                "primary_endpoint": self.primary_endpoint,
                "security_group_id": self.security_group_id,
                "replication_group_id": self.replication_group_id,
            }
        )
