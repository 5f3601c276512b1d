"""Which API request member each Pulumi input becomes: the table the API-rules check reads.

One entry per resource type token: the botocore service, and for each input path (camelCase,
as the policy pack sees the properties) the operation and input member it is sent as.
Paths: `a.b` nested key, `a[]` each list element, `a{}` each map value, `a{key}` each map key.

- `F(input, operation, member)`: one input, one member. `required=True` when AWS needs it and
  the provider does not fill it (the test checks the model marks it required); `secret=True`
  when the value must never be shown even though the model does not mark it sensitive;
  `provider_values` the values the provider turns into another request instead of sending them.
- `T(input, operation, member)`: a subtree whose keys mirror the API's (WAF statements):
  each key is matched to the member of the same name, case and underscores aside.
- `provider_only`: inputs the provider keeps to itself (never sent to AWS), with why.
- A member whose shape carries no constraint is still mapped (its type is checked); the
  counts in tests/policy/test_api_rules.py and docs/policies.md show how many carry rules.

Adding a type: find the create (or put) operation in botocore's model for the service,
map each input, run tests/policy/test_api_rules.py (a misspelt member fails it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class F:
    input: str
    operation: str
    member: str
    required: bool = False
    secret: bool = False
    provider_values: tuple[Any, ...] = ()  # values the provider turns into another request, never sent as is


@dataclass(frozen=True)
class T:
    input: str
    operation: str
    member: str


@dataclass(frozen=True, eq=False)
class TypeMap:
    service: str
    fields: tuple[F | T, ...]
    provider_only: Mapping[str, str] = field(default_factory=dict)


_PROVIDER = "read by the provider, not sent to AWS"
_TAGS_ALL = {"tagsAll": "computed by the provider from tags and default tags", "region": "selects the endpoint"}


def _list_tags(operation: str, member: str = "Tags", key: str = "Key", value: str = "Value") -> tuple[F, ...]:
    return (F("tags{key}", operation, f"{member}[].{key}"), F("tags{}", operation, f"{member}[].{value}"))


def _map_tags(operation: str, member: str = "Tags") -> tuple[F, ...]:
    return (F("tags{key}", operation, f"{member}{{key}}"), F("tags{}", operation, f"{member}{{}}"))


def _ec2_tags(operation: str) -> tuple[F, ...]:
    return _list_tags(operation, "TagSpecifications[].Tags")


def _sg_rules(direction: str, operation: str) -> tuple[F, ...]:
    base = f"{direction}[]"
    perm = "IpPermissions[]"
    return (
        F(f"{base}.description", operation, f"{perm}.IpRanges[].Description"),
        F(f"{base}.protocol", operation, f"{perm}.IpProtocol"),
        F(f"{base}.fromPort", operation, f"{perm}.FromPort"),
        F(f"{base}.toPort", operation, f"{perm}.ToPort"),
        F(f"{base}.cidrBlocks[]", operation, f"{perm}.IpRanges[].CidrIp"),
        F(f"{base}.ipv6CidrBlocks[]", operation, f"{perm}.Ipv6Ranges[].CidrIpv6"),
        F(f"{base}.prefixListIds[]", operation, f"{perm}.PrefixListIds[].PrefixListId"),
        F(f"{base}.securityGroups[]", operation, f"{perm}.UserIdGroupPairs[].GroupId"),
    )


def _vpc_rule(operation: str) -> TypeMap:
    perm = "IpPermissions[]"
    return TypeMap(
        "ec2",
        (
            F("securityGroupId", operation, "GroupId"),
            F("description", operation, f"{perm}.IpRanges[].Description"),
            F("ipProtocol", operation, f"{perm}.IpProtocol"),
            F("fromPort", operation, f"{perm}.FromPort"),
            F("toPort", operation, f"{perm}.ToPort"),
            F("cidrIpv4", operation, f"{perm}.IpRanges[].CidrIp"),
            F("cidrIpv6", operation, f"{perm}.Ipv6Ranges[].CidrIpv6"),
            F("prefixListId", operation, f"{perm}.PrefixListIds[].PrefixListId"),
            F("referencedSecurityGroupId", operation, f"{perm}.UserIdGroupPairs[].GroupId"),
            *_ec2_tags(operation),
        ),
        _TAGS_ALL,
    )


_CF_DIST = "DistributionConfig"
_CF_ORIGIN = f"{_CF_DIST}.Origins.Items[]"
_CF_DEFAULT = f"{_CF_DIST}.DefaultCacheBehavior"
_CF_ORDERED = f"{_CF_DIST}.CacheBehaviors.Items[]"
_RHP = "ResponseHeadersPolicyConfig"
_RHP_SEC = f"{_RHP}.SecurityHeadersConfig"
_RHP_CORS = f"{_RHP}.CorsConfig"
_CP = "CachePolicyConfig"
_CP_KEY = f"{_CP}.ParametersInCacheKeyAndForwardedToOrigin"
_R53 = "ChangeBatch.Changes[].ResourceRecordSet"


def _cache_behavior(prefix: str, member: str) -> tuple[F, ...]:
    return (
        F(f"{prefix}.targetOriginId", "CreateDistribution", f"{member}.TargetOriginId"),
        F(f"{prefix}.viewerProtocolPolicy", "CreateDistribution", f"{member}.ViewerProtocolPolicy"),
        F(f"{prefix}.allowedMethods[]", "CreateDistribution", f"{member}.AllowedMethods.Items[]"),
        F(f"{prefix}.cachedMethods[]", "CreateDistribution", f"{member}.AllowedMethods.CachedMethods.Items[]"),
        F(f"{prefix}.compress", "CreateDistribution", f"{member}.Compress"),
        F(f"{prefix}.cachePolicyId", "CreateDistribution", f"{member}.CachePolicyId"),
        F(f"{prefix}.originRequestPolicyId", "CreateDistribution", f"{member}.OriginRequestPolicyId"),
        F(f"{prefix}.responseHeadersPolicyId", "CreateDistribution", f"{member}.ResponseHeadersPolicyId"),
        F(f"{prefix}.minTtl", "CreateDistribution", f"{member}.MinTTL"),
        F(f"{prefix}.defaultTtl", "CreateDistribution", f"{member}.DefaultTTL"),
        F(f"{prefix}.maxTtl", "CreateDistribution", f"{member}.MaxTTL"),
    )


def _backup_lifecycle(prefix: str, member: str) -> tuple[F, ...]:
    return (
        F(f"{prefix}.deleteAfter", "CreateBackupPlan", f"{member}.DeleteAfterDays"),
        F(f"{prefix}.coldStorageAfter", "CreateBackupPlan", f"{member}.MoveToColdStorageAfterDays"),
        F(
            f"{prefix}.optInToArchiveForSupportedResources",
            "CreateBackupPlan",
            f"{member}.OptInToArchiveForSupportedResources",
        ),
    )


def _waf_common(operation: str) -> tuple[F | T, ...]:
    return (
        F("name", operation, "Name"),
        F("description", operation, "Description"),
        F("scope", operation, "Scope"),
        T("rules[]", operation, "Rules[]"),
        T("visibilityConfig", operation, "VisibilityConfig"),
        F("customResponseBodies[].key", operation, "CustomResponseBodies{key}"),
        F("customResponseBodies[].content", operation, "CustomResponseBodies{}.Content"),
        F("customResponseBodies[].contentType", operation, "CustomResponseBodies{}.ContentType"),
        *_list_tags(operation),
    )


MAPPING: dict[str, TypeMap] = {
    # --- EC2 security groups ----------------------------------------------------------------
    "aws:ec2/securityGroup:SecurityGroup": TypeMap(
        "ec2",
        (
            F("name", "CreateSecurityGroup", "GroupName"),
            F("description", "CreateSecurityGroup", "Description"),
            F("vpcId", "CreateSecurityGroup", "VpcId"),
            *_sg_rules("ingress", "AuthorizeSecurityGroupIngress"),
            *_sg_rules("egress", "AuthorizeSecurityGroupEgress"),
            *_ec2_tags("CreateSecurityGroup"),
        ),
        {**_TAGS_ALL, "revokeRulesOnDelete": _PROVIDER, "namePrefix": "the provider derives the name from it"},
    ),
    "aws:ec2/securityGroupRule:SecurityGroupRule": TypeMap(
        "ec2",
        (
            F("securityGroupId", "AuthorizeSecurityGroupIngress", "GroupId"),
            F("description", "AuthorizeSecurityGroupIngress", "IpPermissions[].IpRanges[].Description"),
            F("protocol", "AuthorizeSecurityGroupIngress", "IpPermissions[].IpProtocol"),
            F("fromPort", "AuthorizeSecurityGroupIngress", "IpPermissions[].FromPort"),
            F("toPort", "AuthorizeSecurityGroupIngress", "IpPermissions[].ToPort"),
            F("cidrBlocks[]", "AuthorizeSecurityGroupIngress", "IpPermissions[].IpRanges[].CidrIp"),
            F("ipv6CidrBlocks[]", "AuthorizeSecurityGroupIngress", "IpPermissions[].Ipv6Ranges[].CidrIpv6"),
            F("prefixListIds[]", "AuthorizeSecurityGroupIngress", "IpPermissions[].PrefixListIds[].PrefixListId"),
            F("sourceSecurityGroupId", "AuthorizeSecurityGroupIngress", "IpPermissions[].UserIdGroupPairs[].GroupId"),
        ),
        {"type": "chooses ingress or egress (the operation)", "self": _PROVIDER},
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _vpc_rule("AuthorizeSecurityGroupIngress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _vpc_rule("AuthorizeSecurityGroupEgress"),
    # --- IAM --------------------------------------------------------------------------------
    "aws:iam/role:Role": TypeMap(
        "iam",
        (
            F("name", "CreateRole", "RoleName"),
            F("path", "CreateRole", "Path"),
            F("description", "CreateRole", "Description"),
            F("assumeRolePolicy", "CreateRole", "AssumeRolePolicyDocument", required=True),
            F("maxSessionDuration", "CreateRole", "MaxSessionDuration"),
            F("permissionsBoundary", "CreateRole", "PermissionsBoundary"),
            F("managedPolicyArns[]", "AttachRolePolicy", "PolicyArn"),
            F("inlinePolicies[].name", "PutRolePolicy", "PolicyName"),
            F("inlinePolicies[].policy", "PutRolePolicy", "PolicyDocument"),
            *_list_tags("CreateRole"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it", "forceDetachPolicies": _PROVIDER},
    ),
    "aws:iam/policy:Policy": TypeMap(
        "iam",
        (
            F("name", "CreatePolicy", "PolicyName"),
            F("path", "CreatePolicy", "Path"),
            F("description", "CreatePolicy", "Description"),
            F("policy", "CreatePolicy", "PolicyDocument", required=True),
            *_list_tags("CreatePolicy"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it"},
    ),
    "aws:iam/rolePolicy:RolePolicy": TypeMap(
        "iam",
        (
            F("name", "PutRolePolicy", "PolicyName"),
            F("role", "PutRolePolicy", "RoleName"),
            F("policy", "PutRolePolicy", "PolicyDocument"),
        ),
        {"namePrefix": "the provider derives the name from it"},
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": TypeMap(
        "iam", (F("role", "AttachRolePolicy", "RoleName"), F("policyArn", "AttachRolePolicy", "PolicyArn"))
    ),
    "aws:iam/instanceProfile:InstanceProfile": TypeMap(
        "iam",
        (
            F("name", "CreateInstanceProfile", "InstanceProfileName"),
            F("path", "CreateInstanceProfile", "Path"),
            F("role", "AddRoleToInstanceProfile", "RoleName"),
            *_list_tags("CreateInstanceProfile"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it"},
    ),
    # --- S3 ---------------------------------------------------------------------------------
    "aws:s3/bucket:Bucket": TypeMap(
        "s3",
        (
            F("bucket", "CreateBucket", "Bucket"),
            F("objectLockEnabled", "CreateBucket", "ObjectLockEnabledForBucket"),
            *_list_tags("PutBucketTagging", "Tagging.TagSet"),
        ),
        {**_TAGS_ALL, "forceDestroy": _PROVIDER, "bucketPrefix": "the provider derives the name from it"},
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": TypeMap(
        "s3",
        (
            F("bucket", "PutBucketLifecycleConfiguration", "Bucket"),
            T("rules[]", "PutBucketLifecycleConfiguration", "LifecycleConfiguration.Rules[]"),
            F(
                "transitionDefaultMinimumObjectSize",
                "PutBucketLifecycleConfiguration",
                "TransitionDefaultMinimumObjectSize",
            ),
        ),
        {"expectedBucketOwner": "sent as a header the model does not constrain", "region": "selects the endpoint"},
    ),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": TypeMap(
        "s3",
        (
            F("bucket", "PutObjectLockConfiguration", "Bucket"),
            F("objectLockEnabled", "PutObjectLockConfiguration", "ObjectLockConfiguration.ObjectLockEnabled"),
            F(
                "rule.defaultRetention.mode",
                "PutObjectLockConfiguration",
                "ObjectLockConfiguration.Rule.DefaultRetention.Mode",
            ),
            F(
                "rule.defaultRetention.days",
                "PutObjectLockConfiguration",
                "ObjectLockConfiguration.Rule.DefaultRetention.Days",
            ),
            F(
                "rule.defaultRetention.years",
                "PutObjectLockConfiguration",
                "ObjectLockConfiguration.Rule.DefaultRetention.Years",
            ),
        ),
        {"token": "sent as a header", "region": "selects the endpoint"},
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": TypeMap(
        "s3",
        (
            F("bucket", "PutBucketOwnershipControls", "Bucket"),
            F("rule.objectOwnership", "PutBucketOwnershipControls", "OwnershipControls.Rules[].ObjectOwnership"),
        ),
    ),
    "aws:s3/bucketLogging:BucketLogging": TypeMap(
        "s3",
        (
            F("bucket", "PutBucketLogging", "Bucket"),
            F("targetBucket", "PutBucketLogging", "BucketLoggingStatus.LoggingEnabled.TargetBucket", required=True),
            F("targetPrefix", "PutBucketLogging", "BucketLoggingStatus.LoggingEnabled.TargetPrefix", required=True),
        ),
        {"expectedBucketOwner": "sent as a header the model does not constrain", "region": "selects the endpoint"},
    ),
    "aws:s3/bucketPolicy:BucketPolicy": TypeMap(
        "s3", (F("bucket", "PutBucketPolicy", "Bucket"), F("policy", "PutBucketPolicy", "Policy"))
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": TypeMap(
        "s3",
        (
            F("bucket", "PutPublicAccessBlock", "Bucket"),
            *(
                F(name, "PutPublicAccessBlock", f"PublicAccessBlockConfiguration.{member}")
                for name, member in (
                    ("blockPublicAcls", "BlockPublicAcls"),
                    ("ignorePublicAcls", "IgnorePublicAcls"),
                    ("blockPublicPolicy", "BlockPublicPolicy"),
                    ("restrictPublicBuckets", "RestrictPublicBuckets"),
                )
            ),
        ),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": TypeMap(
        "s3",
        (
            F("bucket", "PutBucketEncryption", "Bucket"),
            T("rules[]", "PutBucketEncryption", "ServerSideEncryptionConfiguration.Rules[]"),
        ),
    ),
    "aws:s3/bucketVersioning:BucketVersioning": TypeMap(
        "s3",
        (
            F("bucket", "PutBucketVersioning", "Bucket"),
            F("versioningConfiguration.status", "PutBucketVersioning", "VersioningConfiguration.Status"),
            F("versioningConfiguration.mfaDelete", "PutBucketVersioning", "VersioningConfiguration.MFADelete"),
            F("mfa", "PutBucketVersioning", "MFA", secret=True),
        ),
    ),
    # --- KMS --------------------------------------------------------------------------------
    "aws:kms/key:Key": TypeMap(
        "kms",
        (
            F("description", "CreateKey", "Description"),
            F("policy", "CreateKey", "Policy"),
            F("keyUsage", "CreateKey", "KeyUsage"),
            F("customerMasterKeySpec", "CreateKey", "KeySpec"),
            F("customKeyStoreId", "CreateKey", "CustomKeyStoreId"),
            F("multiRegion", "CreateKey", "MultiRegion"),
            F("xksKeyId", "CreateKey", "XksKeyId"),
            F("bypassPolicyLockoutSafetyCheck", "CreateKey", "BypassPolicyLockoutSafetyCheck"),
            F("rotationPeriodInDays", "EnableKeyRotation", "RotationPeriodInDays"),
            F("deletionWindowInDays", "ScheduleKeyDeletion", "PendingWindowInDays"),
            *_list_tags("CreateKey", key="TagKey", value="TagValue"),
        ),
        {
            **_TAGS_ALL,
            "isEnabled": "chooses EnableKey or DisableKey",
            "enableKeyRotation": "chooses EnableKeyRotation or DisableKeyRotation",
        },
    ),
    "aws:kms/alias:Alias": TypeMap(
        "kms",
        (F("name", "CreateAlias", "AliasName"), F("targetKeyId", "CreateAlias", "TargetKeyId")),
        {"namePrefix": "the provider derives the name from it"},
    ),
    # --- CloudWatch Logs --------------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": TypeMap(
        "logs",
        (
            F("name", "CreateLogGroup", "logGroupName"),
            F("kmsKeyId", "CreateLogGroup", "kmsKeyId"),
            F("logGroupClass", "CreateLogGroup", "logGroupClass"),
            F("deletionProtectionEnabled", "CreateLogGroup", "deletionProtectionEnabled"),
            F("retentionInDays", "PutRetentionPolicy", "retentionInDays"),
            *_map_tags("CreateLogGroup", "tags"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it", "skipDestroy": _PROVIDER},
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": TypeMap(
        "logs",
        (
            F("policyName", "PutResourcePolicy", "policyName"),
            F("policyDocument", "PutResourcePolicy", "policyDocument"),
        ),
    ),
    "aws:cloudwatch/logStream:LogStream": TypeMap(
        "logs",
        (F("name", "CreateLogStream", "logStreamName"), F("logGroupName", "CreateLogStream", "logGroupName")),
    ),
    # --- Secrets Manager --------------------------------------------------------------------
    "aws:secretsmanager/secret:Secret": TypeMap(
        "secretsmanager",
        (
            F("name", "CreateSecret", "Name"),
            F("description", "CreateSecret", "Description"),
            F("kmsKeyId", "CreateSecret", "KmsKeyId"),
            F("replicas[].region", "CreateSecret", "AddReplicaRegions[].Region"),
            F("replicas[].kmsKeyId", "CreateSecret", "AddReplicaRegions[].KmsKeyId"),
            F("forceOverwriteReplicaSecret", "CreateSecret", "ForceOverwriteReplicaSecret"),
            F("policy", "PutResourcePolicy", "ResourcePolicy"),
            # 0 becomes ForceDeleteWithoutRecovery (the provider's documentation); 1-6 and 31+ fail.
            F("recoveryWindowInDays", "DeleteSecret", "RecoveryWindowInDays", provider_values=(0,)),
            *_list_tags("CreateSecret"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it"},
    ),
    "aws:secretsmanager/secretPolicy:SecretPolicy": TypeMap(
        "secretsmanager",
        (
            F("secretArn", "PutResourcePolicy", "SecretId"),
            F("policy", "PutResourcePolicy", "ResourcePolicy"),
            F("blockPublicPolicy", "PutResourcePolicy", "BlockPublicPolicy"),
        ),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": TypeMap(
        "secretsmanager",
        (
            F("secretId", "PutSecretValue", "SecretId"),
            F("secretString", "PutSecretValue", "SecretString"),
            F("secretBinary", "PutSecretValue", "SecretBinary"),
            F("versionStages", "PutSecretValue", "VersionStages"),
            F("versionStages[]", "PutSecretValue", "VersionStages[]"),
        ),
    ),
    # --- ElastiCache ------------------------------------------------------------------------
    "aws:elasticache/replicationGroup:ReplicationGroup": TypeMap(
        "elasticache",
        (
            F("replicationGroupId", "CreateReplicationGroup", "ReplicationGroupId"),
            F("description", "CreateReplicationGroup", "ReplicationGroupDescription", required=True),
            F("nodeType", "CreateReplicationGroup", "CacheNodeType"),
            F("engine", "CreateReplicationGroup", "Engine"),
            F("engineVersion", "CreateReplicationGroup", "EngineVersion"),
            F("port", "CreateReplicationGroup", "Port"),
            F("numCacheClusters", "CreateReplicationGroup", "NumCacheClusters"),
            F("numNodeGroups", "CreateReplicationGroup", "NumNodeGroups"),
            F("replicasPerNodeGroup", "CreateReplicationGroup", "ReplicasPerNodeGroup"),
            F("parameterGroupName", "CreateReplicationGroup", "CacheParameterGroupName"),
            F("subnetGroupName", "CreateReplicationGroup", "CacheSubnetGroupName"),
            F("securityGroupIds[]", "CreateReplicationGroup", "SecurityGroupIds[]"),
            F("automaticFailoverEnabled", "CreateReplicationGroup", "AutomaticFailoverEnabled"),
            F("multiAzEnabled", "CreateReplicationGroup", "MultiAZEnabled"),
            F("autoMinorVersionUpgrade", "CreateReplicationGroup", "AutoMinorVersionUpgrade"),
            F("snapshotRetentionLimit", "CreateReplicationGroup", "SnapshotRetentionLimit"),
            F("snapshotWindow", "CreateReplicationGroup", "SnapshotWindow"),
            F("maintenanceWindow", "CreateReplicationGroup", "PreferredMaintenanceWindow"),
            F("authToken", "CreateReplicationGroup", "AuthToken", secret=True),
            F("authTokenUpdateStrategy", "ModifyReplicationGroup", "AuthTokenUpdateStrategy"),
            F("transitEncryptionEnabled", "CreateReplicationGroup", "TransitEncryptionEnabled"),
            F("transitEncryptionMode", "CreateReplicationGroup", "TransitEncryptionMode"),
            F("atRestEncryptionEnabled", "CreateReplicationGroup", "AtRestEncryptionEnabled"),
            F("kmsKeyId", "CreateReplicationGroup", "KmsKeyId"),
            F("userGroupIds[]", "CreateReplicationGroup", "UserGroupIds[]"),
            F("networkType", "CreateReplicationGroup", "NetworkType"),
            F("ipDiscovery", "CreateReplicationGroup", "IpDiscovery"),
            F("clusterMode", "CreateReplicationGroup", "ClusterMode"),
            F("dataTieringEnabled", "CreateReplicationGroup", "DataTieringEnabled"),
            F("logDeliveryConfigurations[].logType", "CreateReplicationGroup", "LogDeliveryConfigurations[].LogType"),
            F(
                "logDeliveryConfigurations[].logFormat",
                "CreateReplicationGroup",
                "LogDeliveryConfigurations[].LogFormat",
            ),
            F(
                "logDeliveryConfigurations[].destinationType",
                "CreateReplicationGroup",
                "LogDeliveryConfigurations[].DestinationType",
            ),
            F(
                "logDeliveryConfigurations[].destination",
                "CreateReplicationGroup",
                "LogDeliveryConfigurations[].DestinationDetails.CloudWatchLogsDetails.LogGroup",
            ),
            *_list_tags("CreateReplicationGroup"),
        ),
        {**_TAGS_ALL, "applyImmediately": "sent on modify only", "finalSnapshotIdentifier": "sent on delete only"},
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": TypeMap(
        "elasticache",
        (
            F("name", "CreateCacheSubnetGroup", "CacheSubnetGroupName"),
            F("description", "CreateCacheSubnetGroup", "CacheSubnetGroupDescription"),
            F("subnetIds[]", "CreateCacheSubnetGroup", "SubnetIds[]"),
            *_list_tags("CreateCacheSubnetGroup"),
        ),
        _TAGS_ALL,
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": TypeMap(
        "elasticache",
        (
            F("name", "CreateCacheParameterGroup", "CacheParameterGroupName"),
            F("family", "CreateCacheParameterGroup", "CacheParameterGroupFamily"),
            F("description", "CreateCacheParameterGroup", "Description"),
            F("parameters[].name", "ModifyCacheParameterGroup", "ParameterNameValues[].ParameterName"),
            F("parameters[].value", "ModifyCacheParameterGroup", "ParameterNameValues[].ParameterValue"),
            *_list_tags("CreateCacheParameterGroup"),
        ),
        _TAGS_ALL,
    ),
    "aws:elasticache/serverlessCache:ServerlessCache": TypeMap(
        "elasticache",
        (
            F("name", "CreateServerlessCache", "ServerlessCacheName"),
            F("description", "CreateServerlessCache", "Description"),
            F("engine", "CreateServerlessCache", "Engine"),
            F("majorEngineVersion", "CreateServerlessCache", "MajorEngineVersion"),
            F("kmsKeyId", "CreateServerlessCache", "KmsKeyId"),
            F("securityGroupIds[]", "CreateServerlessCache", "SecurityGroupIds[]"),
            F("subnetIds[]", "CreateServerlessCache", "SubnetIds[]"),
            F("userGroupId", "CreateServerlessCache", "UserGroupId"),
            F("snapshotRetentionLimit", "CreateServerlessCache", "SnapshotRetentionLimit"),
            F("dailySnapshotTime", "CreateServerlessCache", "DailySnapshotTime"),
            F("cacheUsageLimits.dataStorage.maximum", "CreateServerlessCache", "CacheUsageLimits.DataStorage.Maximum"),
            F("cacheUsageLimits.dataStorage.minimum", "CreateServerlessCache", "CacheUsageLimits.DataStorage.Minimum"),
            F("cacheUsageLimits.dataStorage.unit", "CreateServerlessCache", "CacheUsageLimits.DataStorage.Unit"),
            F(
                "cacheUsageLimits.ecpuPerSeconds[].maximum",
                "CreateServerlessCache",
                "CacheUsageLimits.ECPUPerSecond.Maximum",
            ),
            F(
                "cacheUsageLimits.ecpuPerSeconds[].minimum",
                "CreateServerlessCache",
                "CacheUsageLimits.ECPUPerSecond.Minimum",
            ),
            *_list_tags("CreateServerlessCache"),
        ),
        _TAGS_ALL,
    ),
    # --- WAFv2 ------------------------------------------------------------------------------
    "aws:wafv2/webAcl:WebAcl": TypeMap(
        "wafv2",
        (
            *_waf_common("CreateWebACL"),
            T("defaultAction", "CreateWebACL", "DefaultAction"),
            F("tokenDomains[]", "CreateWebACL", "TokenDomains[]"),
            T("captchaConfig", "CreateWebACL", "CaptchaConfig"),
            T("challengeConfig", "CreateWebACL", "ChallengeConfig"),
            T("associationConfig", "CreateWebACL", "AssociationConfig"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it", "ruleJson": "parsed by the provider"},
    ),
    "aws:wafv2/ruleGroup:RuleGroup": TypeMap(
        "wafv2",
        (*_waf_common("CreateRuleGroup"), F("capacity", "CreateRuleGroup", "Capacity")),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it", "rulesJson": "parsed by the provider"},
    ),
    "aws:wafv2/ipSet:IpSet": TypeMap(
        "wafv2",
        (
            F("name", "CreateIPSet", "Name"),
            F("description", "CreateIPSet", "Description"),
            F("scope", "CreateIPSet", "Scope"),
            F("ipAddressVersion", "CreateIPSet", "IPAddressVersion"),
            F("addresses[]", "CreateIPSet", "Addresses[]"),
            *_list_tags("CreateIPSet"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it"},
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": TypeMap(
        "wafv2",
        (
            F("resourceArn", "PutLoggingConfiguration", "LoggingConfiguration.ResourceArn"),
            F("logDestinationConfigs", "PutLoggingConfiguration", "LoggingConfiguration.LogDestinationConfigs"),
            F("logDestinationConfigs[]", "PutLoggingConfiguration", "LoggingConfiguration.LogDestinationConfigs[]"),
            T("redactedFields[]", "PutLoggingConfiguration", "LoggingConfiguration.RedactedFields[]"),
            T("loggingFilter", "PutLoggingConfiguration", "LoggingConfiguration.LoggingFilter"),
        ),
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": TypeMap(
        "wafv2",
        (F("resourceArn", "AssociateWebACL", "ResourceArn"), F("webAclArn", "AssociateWebACL", "WebACLArn")),
    ),
    # --- CloudFront -------------------------------------------------------------------------
    "aws:cloudfront/distribution:Distribution": TypeMap(
        "cloudfront",
        (
            F("comment", "CreateDistribution", f"{_CF_DIST}.Comment"),
            F("enabled", "CreateDistribution", f"{_CF_DIST}.Enabled"),
            F("aliases[]", "CreateDistribution", f"{_CF_DIST}.Aliases.Items[]"),
            F("defaultRootObject", "CreateDistribution", f"{_CF_DIST}.DefaultRootObject"),
            F("priceClass", "CreateDistribution", f"{_CF_DIST}.PriceClass"),
            F("httpVersion", "CreateDistribution", f"{_CF_DIST}.HttpVersion"),
            F("isIpv6Enabled", "CreateDistribution", f"{_CF_DIST}.IsIPV6Enabled"),
            F("webAclId", "CreateDistribution", f"{_CF_DIST}.WebACLId"),
            F("origins[].originId", "CreateDistribution", f"{_CF_ORIGIN}.Id"),
            F("origins[].domainName", "CreateDistribution", f"{_CF_ORIGIN}.DomainName"),
            F("origins[].originPath", "CreateDistribution", f"{_CF_ORIGIN}.OriginPath"),
            F("origins[].originAccessControlId", "CreateDistribution", f"{_CF_ORIGIN}.OriginAccessControlId"),
            F("origins[].customHeaders[].name", "CreateDistribution", f"{_CF_ORIGIN}.CustomHeaders.Items[].HeaderName"),
            F(
                "origins[].customHeaders[].value",
                "CreateDistribution",
                f"{_CF_ORIGIN}.CustomHeaders.Items[].HeaderValue",
                secret=True,
            ),
            *(
                F(
                    f"origins[].customOriginConfig.{name}",
                    "CreateDistribution",
                    f"{_CF_ORIGIN}.CustomOriginConfig.{member}",
                )
                for name, member in (
                    ("httpPort", "HTTPPort"),
                    ("httpsPort", "HTTPSPort"),
                    ("originProtocolPolicy", "OriginProtocolPolicy"),
                    ("originSslProtocols[]", "OriginSslProtocols.Items[]"),
                    ("originReadTimeout", "OriginReadTimeout"),
                    ("originKeepaliveTimeout", "OriginKeepaliveTimeout"),
                )
            ),
            *_cache_behavior("defaultCacheBehavior", _CF_DEFAULT),
            *_cache_behavior("orderedCacheBehaviors[]", _CF_ORDERED),
            F("orderedCacheBehaviors[].pathPattern", "CreateDistribution", f"{_CF_ORDERED}.PathPattern"),
            F(
                "customErrorResponses[].errorCode",
                "CreateDistribution",
                f"{_CF_DIST}.CustomErrorResponses.Items[].ErrorCode",
            ),
            F(
                "customErrorResponses[].responseCode",
                "CreateDistribution",
                f"{_CF_DIST}.CustomErrorResponses.Items[].ResponseCode",
            ),
            F(
                "customErrorResponses[].responsePagePath",
                "CreateDistribution",
                f"{_CF_DIST}.CustomErrorResponses.Items[].ResponsePagePath",
            ),
            F(
                "customErrorResponses[].errorCachingMinTtl",
                "CreateDistribution",
                f"{_CF_DIST}.CustomErrorResponses.Items[].ErrorCachingMinTTL",
            ),
            F(
                "restrictions.geoRestriction.restrictionType",
                "CreateDistribution",
                f"{_CF_DIST}.Restrictions.GeoRestriction.RestrictionType",
            ),
            F(
                "restrictions.geoRestriction.locations[]",
                "CreateDistribution",
                f"{_CF_DIST}.Restrictions.GeoRestriction.Items[]",
            ),
            F(
                "viewerCertificate.acmCertificateArn",
                "CreateDistribution",
                f"{_CF_DIST}.ViewerCertificate.ACMCertificateArn",
            ),
            F(
                "viewerCertificate.cloudfrontDefaultCertificate",
                "CreateDistribution",
                f"{_CF_DIST}.ViewerCertificate.CloudFrontDefaultCertificate",
            ),
            F(
                "viewerCertificate.iamCertificateId",
                "CreateDistribution",
                f"{_CF_DIST}.ViewerCertificate.IAMCertificateId",
            ),
            F(
                "viewerCertificate.minimumProtocolVersion",
                "CreateDistribution",
                f"{_CF_DIST}.ViewerCertificate.MinimumProtocolVersion",
            ),
            F(
                "viewerCertificate.sslSupportMethod",
                "CreateDistribution",
                f"{_CF_DIST}.ViewerCertificate.SSLSupportMethod",
            ),
            F("loggingConfig.bucket", "CreateDistribution", f"{_CF_DIST}.Logging.Bucket"),
            F("loggingConfig.prefix", "CreateDistribution", f"{_CF_DIST}.Logging.Prefix"),
            F("loggingConfig.includeCookies", "CreateDistribution", f"{_CF_DIST}.Logging.IncludeCookies"),
            *_list_tags("CreateDistributionWithTags", "DistributionConfigWithTags.Tags.Items"),
        ),
        {**_TAGS_ALL, "retainOnDelete": _PROVIDER, "waitForDeployment": _PROVIDER},
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": TypeMap(
        "cloudfront",
        (
            F("name", "CreateResponseHeadersPolicy", f"{_RHP}.Name"),
            F("comment", "CreateResponseHeadersPolicy", f"{_RHP}.Comment"),
            F(
                "customHeadersConfig.items[].header",
                "CreateResponseHeadersPolicy",
                f"{_RHP}.CustomHeadersConfig.Items[].Header",
            ),
            F(
                "customHeadersConfig.items[].value",
                "CreateResponseHeadersPolicy",
                f"{_RHP}.CustomHeadersConfig.Items[].Value",
            ),
            F(
                "customHeadersConfig.items[].override",
                "CreateResponseHeadersPolicy",
                f"{_RHP}.CustomHeadersConfig.Items[].Override",
            ),
            F(
                "removeHeadersConfig.items[].header",
                "CreateResponseHeadersPolicy",
                f"{_RHP}.RemoveHeadersConfig.Items[].Header",
            ),
            T("securityHeadersConfig", "CreateResponseHeadersPolicy", _RHP_SEC),
            F(
                "corsConfig.accessControlAllowCredentials",
                "CreateResponseHeadersPolicy",
                f"{_RHP_CORS}.AccessControlAllowCredentials",
            ),
            F(
                "corsConfig.accessControlAllowHeaders.items[]",
                "CreateResponseHeadersPolicy",
                f"{_RHP_CORS}.AccessControlAllowHeaders.Items[]",
            ),
            F(
                "corsConfig.accessControlAllowMethods.items[]",
                "CreateResponseHeadersPolicy",
                f"{_RHP_CORS}.AccessControlAllowMethods.Items[]",
            ),
            F(
                "corsConfig.accessControlAllowOrigins.items[]",
                "CreateResponseHeadersPolicy",
                f"{_RHP_CORS}.AccessControlAllowOrigins.Items[]",
            ),
            F(
                "corsConfig.accessControlExposeHeaders.items[]",
                "CreateResponseHeadersPolicy",
                f"{_RHP_CORS}.AccessControlExposeHeaders.Items[]",
            ),
            F(
                "corsConfig.accessControlMaxAgeSec",
                "CreateResponseHeadersPolicy",
                f"{_RHP_CORS}.AccessControlMaxAgeSec",
            ),
            F("corsConfig.originOverride", "CreateResponseHeadersPolicy", f"{_RHP_CORS}.OriginOverride"),
            F(
                "serverTimingHeadersConfig.enabled",
                "CreateResponseHeadersPolicy",
                f"{_RHP}.ServerTimingHeadersConfig.Enabled",
            ),
            F(
                "serverTimingHeadersConfig.samplingRate",
                "CreateResponseHeadersPolicy",
                f"{_RHP}.ServerTimingHeadersConfig.SamplingRate",
            ),
        ),
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": TypeMap(
        "cloudfront",
        tuple(
            F(name, "CreateOriginAccessControl", f"OriginAccessControlConfig.{member}")
            for name, member in (
                ("name", "Name"),
                ("description", "Description"),
                ("originAccessControlOriginType", "OriginAccessControlOriginType"),
                ("signingBehavior", "SigningBehavior"),
                ("signingProtocol", "SigningProtocol"),
            )
        ),
    ),
    "aws:cloudfront/cachePolicy:CachePolicy": TypeMap(
        "cloudfront",
        (
            F("name", "CreateCachePolicy", f"{_CP}.Name"),
            F("comment", "CreateCachePolicy", f"{_CP}.Comment"),
            F("defaultTtl", "CreateCachePolicy", f"{_CP}.DefaultTTL"),
            F("maxTtl", "CreateCachePolicy", f"{_CP}.MaxTTL"),
            F("minTtl", "CreateCachePolicy", f"{_CP}.MinTTL"),
            *(
                F(f"parametersInCacheKeyAndForwardedToOrigin.{name}", "CreateCachePolicy", f"{_CP_KEY}.{member}")
                for name, member in (
                    ("enableAcceptEncodingGzip", "EnableAcceptEncodingGzip"),
                    ("enableAcceptEncodingBrotli", "EnableAcceptEncodingBrotli"),
                    ("cookiesConfig.cookieBehavior", "CookiesConfig.CookieBehavior"),
                    ("cookiesConfig.cookies.items[]", "CookiesConfig.Cookies.Items[]"),
                    ("headersConfig.headerBehavior", "HeadersConfig.HeaderBehavior"),
                    ("headersConfig.headers.items[]", "HeadersConfig.Headers.Items[]"),
                    ("queryStringsConfig.queryStringBehavior", "QueryStringsConfig.QueryStringBehavior"),
                    ("queryStringsConfig.queryStrings.items[]", "QueryStringsConfig.QueryStrings.Items[]"),
                )
            ),
        ),
    ),
    # --- AWS Backup -------------------------------------------------------------------------
    "aws:backup/vault:Vault": TypeMap(
        "backup",
        (
            F("name", "CreateBackupVault", "BackupVaultName"),
            F("kmsKeyArn", "CreateBackupVault", "EncryptionKeyArn"),
            *_map_tags("CreateBackupVault", "BackupVaultTags"),
        ),
        {**_TAGS_ALL, "forceDestroy": _PROVIDER},
    ),
    "aws:backup/plan:Plan": TypeMap(
        "backup",
        (
            F("name", "CreateBackupPlan", "BackupPlan.BackupPlanName"),
            F("rules[].ruleName", "CreateBackupPlan", "BackupPlan.Rules[].RuleName"),
            F("rules[].targetVaultName", "CreateBackupPlan", "BackupPlan.Rules[].TargetBackupVaultName"),
            F("rules[].schedule", "CreateBackupPlan", "BackupPlan.Rules[].ScheduleExpression"),
            F(
                "rules[].scheduleExpressionTimezone",
                "CreateBackupPlan",
                "BackupPlan.Rules[].ScheduleExpressionTimezone",
            ),
            F("rules[].startWindow", "CreateBackupPlan", "BackupPlan.Rules[].StartWindowMinutes"),
            F("rules[].completionWindow", "CreateBackupPlan", "BackupPlan.Rules[].CompletionWindowMinutes"),
            F("rules[].enableContinuousBackup", "CreateBackupPlan", "BackupPlan.Rules[].EnableContinuousBackup"),
            *_backup_lifecycle("rules[].lifecycle", "BackupPlan.Rules[].Lifecycle"),
            F("rules[].recoveryPointTags{key}", "CreateBackupPlan", "BackupPlan.Rules[].RecoveryPointTags{key}"),
            F("rules[].recoveryPointTags{}", "CreateBackupPlan", "BackupPlan.Rules[].RecoveryPointTags{}"),
            F(
                "rules[].copyActions[].destinationVaultArn",
                "CreateBackupPlan",
                "BackupPlan.Rules[].CopyActions[].DestinationBackupVaultArn",
            ),
            *_backup_lifecycle("rules[].copyActions[].lifecycle", "BackupPlan.Rules[].CopyActions[].Lifecycle"),
            F(
                "advancedBackupSettings[].resourceType",
                "CreateBackupPlan",
                "BackupPlan.AdvancedBackupSettings[].ResourceType",
            ),
            F(
                "advancedBackupSettings[].backupOptions{key}",
                "CreateBackupPlan",
                "BackupPlan.AdvancedBackupSettings[].BackupOptions{key}",
            ),
            *_map_tags("CreateBackupPlan", "BackupPlanTags"),
        ),
        _TAGS_ALL,
    ),
    "aws:backup/selection:Selection": TypeMap(
        "backup",
        (
            F("planId", "CreateBackupSelection", "BackupPlanId"),
            F("name", "CreateBackupSelection", "BackupSelection.SelectionName"),
            F("iamRoleArn", "CreateBackupSelection", "BackupSelection.IamRoleArn"),
            F("resources[]", "CreateBackupSelection", "BackupSelection.Resources[]"),
            F("notResources[]", "CreateBackupSelection", "BackupSelection.NotResources[]"),
            F("selectionTags[].type", "CreateBackupSelection", "BackupSelection.ListOfTags[].ConditionType"),
            F("selectionTags[].key", "CreateBackupSelection", "BackupSelection.ListOfTags[].ConditionKey"),
            F("selectionTags[].value", "CreateBackupSelection", "BackupSelection.ListOfTags[].ConditionValue"),
        ),
        {"conditions": "grouped by the provider into the Conditions structure"},
    ),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": TypeMap(
        "backup",
        (
            F("backupVaultName", "PutBackupVaultLockConfiguration", "BackupVaultName"),
            F("changeableForDays", "PutBackupVaultLockConfiguration", "ChangeableForDays"),
            F("minRetentionDays", "PutBackupVaultLockConfiguration", "MinRetentionDays"),
            F("maxRetentionDays", "PutBackupVaultLockConfiguration", "MaxRetentionDays"),
        ),
        {"region": "selects the endpoint"},
    ),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": TypeMap(
        "backup",
        (
            F("name", "CreateRestoreTestingPlan", "RestoreTestingPlan.RestoreTestingPlanName"),
            F("scheduleExpression", "CreateRestoreTestingPlan", "RestoreTestingPlan.ScheduleExpression", required=True),
            F(
                "scheduleExpressionTimezone",
                "CreateRestoreTestingPlan",
                "RestoreTestingPlan.ScheduleExpressionTimezone",
            ),
            F("startWindowHours", "CreateRestoreTestingPlan", "RestoreTestingPlan.StartWindowHours"),
            T("recoveryPointSelection", "CreateRestoreTestingPlan", "RestoreTestingPlan.RecoveryPointSelection"),
            *_map_tags("CreateRestoreTestingPlan"),
        ),
        _TAGS_ALL,
    ),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": TypeMap(
        "backup",
        (
            F("restoreTestingPlanName", "CreateRestoreTestingSelection", "RestoreTestingPlanName"),
            F("name", "CreateRestoreTestingSelection", "RestoreTestingSelection.RestoreTestingSelectionName"),
            F("iamRoleArn", "CreateRestoreTestingSelection", "RestoreTestingSelection.IamRoleArn", required=True),
            F(
                "protectedResourceType",
                "CreateRestoreTestingSelection",
                "RestoreTestingSelection.ProtectedResourceType",
            ),
            F(
                "protectedResourceArns[]",
                "CreateRestoreTestingSelection",
                "RestoreTestingSelection.ProtectedResourceArns[]",
            ),
            F(
                "restoreMetadataOverrides{key}",
                "CreateRestoreTestingSelection",
                "RestoreTestingSelection.RestoreMetadataOverrides{key}",
            ),
            F(
                "restoreMetadataOverrides{}",
                "CreateRestoreTestingSelection",
                "RestoreTestingSelection.RestoreMetadataOverrides{}",
            ),
            F(
                "validationWindowHours",
                "CreateRestoreTestingSelection",
                "RestoreTestingSelection.ValidationWindowHours",
            ),
            T(
                "protectedResourceConditions",
                "CreateRestoreTestingSelection",
                "RestoreTestingSelection.ProtectedResourceConditions",
            ),
        ),
    ),
    # --- ACM --------------------------------------------------------------------------------
    "aws:acm/certificate:Certificate": TypeMap(
        "acm",
        (
            F("domainName", "RequestCertificate", "DomainName"),
            F("subjectAlternativeNames", "RequestCertificate", "SubjectAlternativeNames"),
            F("subjectAlternativeNames[]", "RequestCertificate", "SubjectAlternativeNames[]"),
            F("validationMethod", "RequestCertificate", "ValidationMethod"),
            F("keyAlgorithm", "RequestCertificate", "KeyAlgorithm"),
            F("certificateAuthorityArn", "RequestCertificate", "CertificateAuthorityArn"),
            F(
                "options.certificateTransparencyLoggingPreference",
                "RequestCertificate",
                "Options.CertificateTransparencyLoggingPreference",
            ),
            F("validationOptions[].domainName", "RequestCertificate", "DomainValidationOptions[].DomainName"),
            F(
                "validationOptions[].validationDomain",
                "RequestCertificate",
                "DomainValidationOptions[].ValidationDomain",
            ),
            *_list_tags("RequestCertificate"),
        ),
        {**_TAGS_ALL, "earlyRenewalDuration": _PROVIDER},
    ),
    "aws:acm/certificateValidation:CertificateValidation": TypeMap(
        "acm",
        (F("certificateArn", "DescribeCertificate", "CertificateArn"),),
        {"validationRecordFqdns": "compared by the provider with the records ACM asks for; never sent"},
    ),
    # --- Route 53 ---------------------------------------------------------------------------
    "aws:route53/record:Record": TypeMap(
        "route53",
        (
            F("zoneId", "ChangeResourceRecordSets", "HostedZoneId"),
            F("name", "ChangeResourceRecordSets", f"{_R53}.Name"),
            F("type", "ChangeResourceRecordSets", f"{_R53}.Type"),
            F("ttl", "ChangeResourceRecordSets", f"{_R53}.TTL"),
            F("records[]", "ChangeResourceRecordSets", f"{_R53}.ResourceRecords[].Value"),
            F("setIdentifier", "ChangeResourceRecordSets", f"{_R53}.SetIdentifier"),
            F("healthCheckId", "ChangeResourceRecordSets", f"{_R53}.HealthCheckId"),
            F("multivalueAnswerRoutingPolicy", "ChangeResourceRecordSets", f"{_R53}.MultiValueAnswer"),
            F("aliases[].name", "ChangeResourceRecordSets", f"{_R53}.AliasTarget.DNSName"),
            F("aliases[].zoneId", "ChangeResourceRecordSets", f"{_R53}.AliasTarget.HostedZoneId"),
            F("aliases[].evaluateTargetHealth", "ChangeResourceRecordSets", f"{_R53}.AliasTarget.EvaluateTargetHealth"),
            F("weightedRoutingPolicies[].weight", "ChangeResourceRecordSets", f"{_R53}.Weight"),
            F("failoverRoutingPolicies[].type", "ChangeResourceRecordSets", f"{_R53}.Failover"),
            F("latencyRoutingPolicies[].region", "ChangeResourceRecordSets", f"{_R53}.Region"),
        ),
        {"allowOverwrite": "chooses CREATE or UPSERT"},
    ),
    "aws:route53/zone:Zone": TypeMap(
        "route53",
        (
            F("name", "CreateHostedZone", "Name"),
            F("comment", "CreateHostedZone", "HostedZoneConfig.Comment"),
            F("delegationSetId", "CreateHostedZone", "DelegationSetId"),
            F("vpcs[].vpcId", "CreateHostedZone", "VPC.VPCId"),
            F("vpcs[].vpcRegion", "CreateHostedZone", "VPC.VPCRegion"),
        ),
        {
            **_TAGS_ALL,
            "forceDestroy": _PROVIDER,
            "tags": "sent by ChangeTagsForResource, which the model does not constrain",
        },
    ),
    # --- SSM --------------------------------------------------------------------------------
    "aws:ssm/parameter:Parameter": TypeMap(
        "ssm",
        (
            F("name", "PutParameter", "Name"),
            F("description", "PutParameter", "Description"),
            F("type", "PutParameter", "Type"),
            F("value", "PutParameter", "Value"),
            F("insecureValue", "PutParameter", "Value"),
            F("tier", "PutParameter", "Tier"),
            F("keyId", "PutParameter", "KeyId"),
            F("allowedPattern", "PutParameter", "AllowedPattern"),
            F("dataType", "PutParameter", "DataType"),
            *_list_tags("PutParameter"),
        ),
        {**_TAGS_ALL, "overwrite": "chooses whether PutParameter may overwrite"},
    ),
    # --- RDS (the kit's snapshots and restore-test subnet group) ------------------------------
    "aws:rds/clusterSnapshot:ClusterSnapshot": TypeMap(
        "rds",
        (
            F("dbClusterIdentifier", "CreateDBClusterSnapshot", "DBClusterIdentifier"),
            F("dbClusterSnapshotIdentifier", "CreateDBClusterSnapshot", "DBClusterSnapshotIdentifier"),
            *_list_tags("CreateDBClusterSnapshot"),
        ),
        _TAGS_ALL,
    ),
    "aws:rds/snapshot:Snapshot": TypeMap(
        "rds",
        (
            F("dbInstanceIdentifier", "CreateDBSnapshot", "DBInstanceIdentifier"),
            F("dbSnapshotIdentifier", "CreateDBSnapshot", "DBSnapshotIdentifier"),
            *_list_tags("CreateDBSnapshot"),
        ),
        _TAGS_ALL,
    ),
    "aws:rds/subnetGroup:SubnetGroup": TypeMap(
        "rds",
        (
            F("name", "CreateDBSubnetGroup", "DBSubnetGroupName"),
            F("description", "CreateDBSubnetGroup", "DBSubnetGroupDescription"),
            F("subnetIds[]", "CreateDBSubnetGroup", "SubnetIds[]"),
            *_list_tags("CreateDBSubnetGroup"),
        ),
        {**_TAGS_ALL, "namePrefix": "the provider derives the name from it"},
    ),
}
"""Pulumi type token -> the API members its inputs become."""

NOT_CHECKED: dict[str, str] = {}
"""AWS types the kit declares that are deliberately left unchecked, with why (none today)."""
