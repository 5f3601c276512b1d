"""Data policies: tested database backups, audit retention, encrypted Redis, protected state."""

from __future__ import annotations

import math
import re
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from objectos_core.schedule import DAY, cadence, longest_gap_minutes
from policy.policies._base import OBJECTOS_STACK, Config, Report, resource_policy, stack_policy
from policy.policies._graph import Graph, qualified_types
from policy.policies._props import UNKNOWN, elements, get, is_mapping, number, strings, text, truthy

PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
RESTORE_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
OBJECT_LOCKS = (
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)
LIFECYCLES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
MEMORYDB_CLUSTER = "aws:memorydb/cluster:Cluster"
RDS_ARN = re.compile(r"arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):.+")
CONTINUOUS_RPO_MINUTES = 5  # AWS Backup point-in-time recovery for RDS/Aurora
_AUDIT = re.compile(r"(?i)audit")


# --- database-backup-restore-tested -----------------------------------------------------


def _backups(graph: Graph, config: Config, report: Report) -> None:
    if not report.objectos:
        return  # the business database of an ObjectOS stack, and its recovery point objective
    plans = graph.of_type(PLAN)
    if not plans:
        report.missing("the stack has no AWS Backup plan for the business database; add the DatabaseBackups component")
    backed_up: set[str] = set()
    for plan in plans:
        _plan_rules(plan, config, report)
        selections = graph.dependents(plan, [SELECTION], "planId")
        if not selections:
            report(f"backup plan '{plan.name}' selects no resources; add a Selection naming the database", plan.urn)
        for selection in selections:
            listed = get(selection.props, "resources")
            if not report.known(listed, f"backup selection '{selection.name}' resources"):
                continue
            values = [listed] if isinstance(listed, str) else list(elements(listed))
            if any(v is UNKNOWN for v in values):
                report.known(UNKNOWN, f"backup selection '{selection.name}' resources")
            databases = [a for a in strings(listed) if RDS_ARN.fullmatch(a)]
            if not databases and not any(v is UNKNOWN for v in values):
                report(f"backup selection '{selection.name}' names no RDS database or Aurora cluster", selection.urn)
            backed_up.update(databases)
    _restore_tests(graph, backed_up, config, report)


def _plan_rules(plan: Any, config: Config, report: Report) -> None:
    rules = list(elements(get(plan.props, "rules")))
    rpo: float | None = None
    for rule in rules:
        name = text(get(rule, "ruleName")) or "?"
        if truthy(get(rule, "enableContinuousBackup")):
            gap = float(CONTINUOUS_RPO_MINUTES)
        else:
            schedule = get(rule, "schedule")
            gap = longest_gap_minutes(schedule) if isinstance(schedule, str) else None
            if gap == math.inf:
                report(f"backup rule '{name}' ('{schedule}') {cadence(schedule).describe()}", plan.urn)
                gap = None
        if gap is not None:
            rpo = gap if rpo is None else min(rpo, gap)
        keep = number(get(rule, "lifecycle", "deleteAfter"))
        if keep is not None and keep < config["minimumRetentionDays"]:
            report(
                f"backup rule '{name}' keeps recovery points {keep:g} days; keep at least {config['minimumRetentionDays']:g}",
                plan.urn,
            )
    if rules and rpo is not None and rpo > config["maximumRpoMinutes"]:
        report(
            f"backup plan '{plan.name}' loses up to {rpo:g} minutes of data (RPO); the target is "
            f"{config['maximumRpoMinutes']:g} min: enable continuous backup",
            plan.urn,
        )


def _restore_tests(graph: Graph, databases: set[str], config: Config, report: Report) -> None:
    plans = graph.of_type(RESTORE_PLAN)
    if not plans:
        report.missing("no restore testing plan: backups are never proven restorable; add a RestoreTestingPlan")
        return
    limit_days = config["maximumRestoreTestIntervalDays"]
    by_plan_name: dict[str, list[Any]] = {}
    for selection in graph.of_type(RESTORE_SELECTION):
        name = get(selection.props, "restoreTestingPlanName")
        if isinstance(name, str):
            by_plan_name.setdefault(name, []).append(selection)
    tested: set[str] = set()
    for plan in plans:
        schedule = get(plan.props, "scheduleExpression")
        gap = longest_gap_minutes(schedule) if isinstance(schedule, str) else None
        if isinstance(schedule, str) and gap is None:
            report(f"restore testing schedule '{schedule}' is not a cron() or rate() expression", plan.urn)
        elif gap == math.inf:
            report(
                f"restore testing schedule '{schedule}' {cadence(schedule).describe()}: no restore is ever tested",
                plan.urn,
            )
        elif gap is not None and gap > limit_days * DAY:
            report(
                f"restore tests run only every {gap / DAY:g} days ('{schedule}'); test at least every {limit_days:g} days",
                plan.urn,
            )
        selections = _selections_of(graph, plan, by_plan_name)
        if not selections:
            report(f"restore testing plan '{plan.name}' has no selection: nothing is restored", plan.urn)
        for selection in selections:
            tested.update(strings(get(selection.props, "protectedResourceArns")))
    untested = sorted(a for a in databases if a not in tested and "*" not in tested)
    if untested and tested:
        report(f"the restore tests do not cover {', '.join(untested)}; add them to protectedResourceArns")


def _selections_of(graph: Graph, plan: Any, by_plan_name: dict[str, list[Any]]) -> list[Any]:
    """The plan's selections: linked by dependency, or naming it by a known name."""
    by_dependency = graph.dependents(plan, [RESTORE_SELECTION], "restoreTestingPlanName")
    name = get(plan.props, "name")
    by_name = by_plan_name.get(name, []) if isinstance(name, str) else []
    return list({s.urn: s for s in by_dependency + by_name}.values())


database_backup_restore_tested = stack_policy(
    "database-backup-restore-tested",
    "The business database must be in an AWS Backup plan with point-in-time recovery, and a restore "
    "testing plan must restore it on a schedule.",
    Severity.CRITICAL,
    _backups,
    kind=OBJECTOS_STACK,
    config={
        "maximumRpoMinutes": {
            "type": "number",
            "minimum": 1,
            "default": 15,
            "description": "Most data a restore may lose.",
        },
        "maximumRestoreTestIntervalDays": {
            "type": "number",
            "minimum": 1,
            "default": 92,
            "description": "Longest gap between restore tests.",
        },
        "minimumRetentionDays": {
            "type": "number",
            "minimum": 1,
            "default": 7,
            "description": "Shortest retention of any backup rule.",
        },
    },
    tags=["backup"],
)


# --- audit-log-retention ------------------------------------------------------------------


def _audit(graph: Graph, config: Config, report: Report) -> None:
    minimum = config["minimumDays"]
    archives = _archives(graph, report)
    if not archives:
        report.missing("no Object Lock archive keeps the audit logs; add the AuditLogRetention component")
    for holder, retention, buckets in archives:
        # In an ObjectOS stack every Object Lock archive is the audit archive; elsewhere only one named audit.
        if not (report.objectos or any(_holds_audit(r) for r in (holder, *buckets))):
            continue
        _lock_retention(holder, retention, minimum, config["objectLockMode"], report)
        for bucket in buckets:
            for lifecycle in graph.dependents(bucket, LIFECYCLES, "bucket"):
                _lifecycle(lifecycle, minimum, report)
    for group in graph.of_type(LOG_GROUP):
        if not _holds_audit(group):
            continue
        days = number(get(group.props, "retentionInDays"))
        if days is not None and 0 < days < minimum:
            report(f"audit log group keeps logs {days:g} days; the customer's policy requires {minimum:g}", group.urn)


def _archives(graph: Graph, report: Report) -> list[tuple[Any, Any, list[Any]]]:
    """(resource holding the lock, its default retention, the buckets it locks): lock resources and inline locks."""
    found = [
        (lock, get(lock.props, "rule", "defaultRetention"), graph.reaches(lock, set(BUCKETS), "bucket"))
        for lock in graph.of_type(*OBJECT_LOCKS)
    ]
    for bucket in graph.of_type(*BUCKETS):
        inline = get(bucket.props, "objectLockConfiguration")
        if not report.known(inline, f"{bucket.name}.objectLockConfiguration") or not is_mapping(inline):
            continue
        if get(inline, "objectLockEnabled") in ("Enabled", UNKNOWN) or get(inline, "rule") is not None:
            found.append((bucket, get(inline, "rule", "defaultRetention"), [bucket]))
    return found


def _lock_retention(lock: Any, retention: Any, minimum: float, mode: str, report: Report) -> None:
    if not report.known(retention, f"{lock.name}.rule.defaultRetention"):
        return
    days = number(get(retention, "days"))
    years = number(get(retention, "years"))
    kept = days if days is not None else (years * 365 if years is not None else None)
    if kept is None:
        report("the audit archive's Object Lock has no default retention; set it to the customer's policy", lock.urn)
    elif kept < minimum:
        report(
            f"the audit archive locks objects for {kept:g} days; the customer's policy requires {minimum:g}", lock.urn
        )
    actual = get(retention, "mode")
    if mode != "any" and report.known(actual, f"{lock.name}.rule.defaultRetention.mode") and actual != mode:
        report(f"the audit archive's Object Lock mode is {actual}; the policy requires {mode}", lock.urn)


def _lifecycle(lifecycle: Any, minimum: float, report: Report) -> None:
    for rule in elements(get(lifecycle.props, "rules")):
        if get(rule, "status") == "Disabled":
            continue
        name = text(get(rule, "id")) or "?"
        expires = number(get(rule, "expiration", "days"))
        noncurrent = number(get(rule, "noncurrentVersionExpiration", "noncurrentDays"))
        for what, days in (("expires objects", expires), ("expires old versions", noncurrent)):
            if days is not None and days < minimum:
                report(
                    f"lifecycle rule '{name}' {what} after {days:g} days, before the {minimum:g}-day retention",
                    lifecycle.urn,
                )


def _holds_audit(resource: Any) -> bool:
    props = resource.props
    name = " ".join(text(get(props, k)) or "" for k in ("name", "bucket", "bucketPrefix")) + " " + resource.name
    return bool(_AUDIT.search(name) or any(_AUDIT.search(t) for t in qualified_types(resource.urn)[:-1]))


audit_log_retention = stack_policy(
    "audit-log-retention",
    "Audit logs must be kept as long as the customer's policy requires: an Object Lock archive with at "
    "least that default retention, no lifecycle rule expiring them sooner, and audit log groups kept as long.",
    Severity.HIGH,
    _audit,
    kind=OBJECTOS_STACK,
    config={
        "minimumDays": {
            "type": "integer",
            "minimum": 1,
            "default": 365,
            "description": "The customer's audit retention, in days.",
        },
        "objectLockMode": {
            "type": "string",
            "enum": ["any", "GOVERNANCE", "COMPLIANCE"],
            "default": "any",
            "description": "Required Object Lock mode of the archive.",
        },
    },
    tags=["audit"],
)


# --- redis-encrypted-with-auth ------------------------------------------------------------


def _redis(args: ResourceValidationArgs, config: Config, report: Report) -> None:
    props = args.props
    if args.resource_type == SERVERLESS_CACHE:
        # Always encrypted in transit and at rest; without a user group its default user needs no password.
        engine = get(props, "engine")
        if report.known(engine, "engine") and str(engine).lower() not in ("redis", "valkey"):
            return
        if get(props, "userGroupId") in (None, ""):
            report(
                "the serverless cache has no userGroupId: its default user needs no password; add an RBAC user group"
            )
        if config["requireCustomerManagedKey"] and get(props, "kmsKeyId") is None:
            report("at-rest encryption uses the AWS managed key; set kmsKeyId to the kit's customer managed key")
        return
    if args.resource_type == MEMORYDB_CLUSTER:
        # Always encrypted at rest; the open-access ACL lets any client in without a password.
        if get(props, "aclName") == "open-access":
            report(
                "the MemoryDB cluster uses the open-access ACL: any client connects without a password; give it an ACL"
            )
        tls = get(props, "tlsEnabled")
        if tls is not None and report.known(tls, "tlsEnabled") and not truthy(tls):
            report("tlsEnabled is off: Redis traffic and passwords cross the network in clear")
        if config["requireCustomerManagedKey"] and get(props, "kmsKeyArn") is None:
            report("at-rest encryption uses the AWS managed key; set kmsKeyArn to the kit's customer managed key")
        return
    if args.resource_type == CACHE_CLUSTER:
        if get(props, "engine") in ("redis", "valkey") and get(props, "replicationGroupId") is None:
            report("a standalone cache cluster has no AUTH token; use a ReplicationGroup (the RedisCache component)")
        return
    if report.known(get(props, "transitEncryptionEnabled"), "transitEncryptionEnabled") and not truthy(
        get(props, "transitEncryptionEnabled")
    ):
        report("transitEncryptionEnabled is off: Redis traffic and the AUTH token cross the network in clear")
    if get(props, "transitEncryptionMode") not in (None, UNKNOWN, "required"):
        report(f"transitEncryptionMode is '{get(props, 'transitEncryptionMode')}'; use 'required'")
    if report.known(get(props, "atRestEncryptionEnabled"), "atRestEncryptionEnabled") and not truthy(
        get(props, "atRestEncryptionEnabled")
    ):
        report("atRestEncryptionEnabled is off: snapshots and swap are stored unencrypted")
    if get(props, "authToken") in (None, "") and not strings(get(props, "userGroupIds")):
        report("no authToken (or RBAC user group): any client in the network can use Redis")
    if config["requireCustomerManagedKey"] and get(props, "kmsKeyId") is None:
        report("at-rest encryption uses the AWS managed key; set kmsKeyId to the kit's customer managed key")


redis_encrypted_with_auth = resource_policy(
    "redis-encrypted-with-auth",
    "ElastiCache and MemoryDB Redis/Valkey must encrypt in transit (required) and at rest with the kit's key, "
    "and require AUTH.",
    Severity.HIGH,
    _redis,
    types=[REPLICATION_GROUP, CACHE_CLUSTER, SERVERLESS_CACHE, MEMORYDB_CLUSTER],
    config={
        "requireCustomerManagedKey": {"type": "boolean", "default": True, "description": "Require kmsKeyId."},
    },
    tags=["redis"],
)


# --- stateful-resources-protected ---------------------------------------------------------

STATEFUL_TYPES = [
    "aws:kms/key:Key",
    "aws:secretsmanager/secret:Secret",
    "aws:backup/vault:Vault",
    "aws:backup/plan:Plan",
    *BUCKETS,
    REPLICATION_GROUP,
    SERVERLESS_CACHE,
    MEMORYDB_CLUSTER,
    "aws:rds/cluster:Cluster",
    "aws:rds/instance:Instance",
    "aws:docdb/cluster:Cluster",
    "aws:neptune/cluster:Cluster",
    "aws:dynamodb/table:Table",
    "aws:efs/fileSystem:FileSystem",
    "aws:opensearch/domain:Domain",
]


def _protected(args: ResourceValidationArgs, config: Config, report: Report) -> None:
    kind, props = args.resource_type, args.props
    stateful = kind in config["statefulTypes"] or (kind == LOG_GROUP and _audit_resource(args))
    if stateful and not args.opts.protect:
        report(f"{kind.rsplit(':', 1)[-1]} holds state but is not protected; create it with protect=True")
    if kind in BUCKETS and truthy(get(props, "forceDestroy")):
        report("forceDestroy empties the bucket on delete; remove it")
    if kind == "aws:backup/vault:Vault" and truthy(get(props, "forceDestroy")):
        report("forceDestroy deletes the recovery points with the vault; remove it")
    if kind == "aws:secretsmanager/secret:Secret" and number(get(props, "recoveryWindowInDays")) == 0:
        report("recoveryWindowInDays 0 deletes the secret at once; keep a 7-30 day recovery window")


def _audit_resource(args: ResourceValidationArgs) -> bool:
    name = text(get(args.props, "name")) or args.name
    return bool(_AUDIT.search(name) or any(_AUDIT.search(t) for t in qualified_types(args.urn)[:-1]))


stateful_resources_protected = resource_policy(
    "stateful-resources-protected",
    "Resources that hold state (keys, secrets, vaults, plans, buckets, caches, audit log groups) must be "
    "protected so a mistaken `pulumi destroy` or replacement cannot delete them.",
    Severity.HIGH,
    _protected,
    config={
        "statefulTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": STATEFUL_TYPES,
            "description": "Resource types that must be created with protect=True.",
        }
    },
    tags=["data"],
)

POLICIES = [
    database_backup_restore_tested,
    audit_log_retention,
    redis_encrypted_with_auth,
    stateful_resources_protected,
]
