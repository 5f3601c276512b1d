"""DatabaseBackups: AWS Backup for the business database, with a scheduled restore test.

A KMS-encrypted, locked vault; a plan with continuous, daily and (for long audit
policies) monthly rules, optionally copied to a locked vault in a second region;
the database selected through a role with the AWS-managed backup and restore
policies; and a restore testing plan that restores the database into the
private subnets on a schedule. The rules and objectives come from backup_schedule.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from . import backup_schedule as schedule
from .inputs import args_of, fill_defaults, filled


@dataclass
class DatabaseBackupsArgs:
    """Inputs of DatabaseBackups."""

    database_arn: str
    """ARN of the RDS instance (`:db:`) or Aurora cluster (`:cluster:`) to back up."""
    name_prefix: str
    """Prefix of the AWS names (vault, plan, restore test), e.g. objectos-prod."""
    retention_days: int
    """Days each daily snapshot is kept."""
    continuous_retention_days: int
    """Point-in-time recovery window in days; capped at 35, the AWS maximum."""
    lock_min_retention_days: int
    """Vault lock: the shortest retention a recovery point may have."""
    lock_max_retention_days: int
    """Vault lock: the longest retention a recovery point may have."""
    restore_test_schedule: str
    """AWS cron(...) or rate(...) expression for the restore test."""
    validation_window_hours: int
    """Hours the restored copy is kept for validation before AWS Backup deletes it."""
    vpc_id: str
    """VPC of the private subnets the restore test restores into."""
    private_subnet_ids: Sequence[str]
    """Private subnets for the restored copy's DB subnet group."""
    lock_changeable_for_days: Optional[int] = None
    """Vault lock grace period; 3 or more makes it a compliance lock nobody can lift afterwards (None: governance)."""
    monthly_retention_days: Optional[int] = 0
    """Days each monthly snapshot is kept; 0 for no monthly rule."""
    copy_to_region: Optional[str] = None
    """Second region whose vault receives a copy of each snapshot; None for no copy."""
    partition: Optional[str] = "aws"
    """AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."""
    start_window_hours: Optional[int] = 24
    """Hours after the scheduled time within which the restore test must start (1-168)."""
    targets: Optional[schedule.RecoveryTargets] = schedule.OBJECTOS_TARGETS["single"]
    """RPO/RTO the plan is checked against (ObjectOS single-tenant targets by default)."""
    recovery_point_tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on each recovery point, e.g. the release (image and artifact) it was taken under."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on every taggable resource."""

    def __post_init__(self) -> None:
        fill_defaults(self)


class DatabaseBackups(pulumi.ComponentResource):
    """AWS Backup vault, lock, plan, selection and restore test for one database."""

    vault_arn: pulumi.Output[str]
    """The backup vault in the stack's region."""
    copy_vault_arn: Optional[pulumi.Output[str]]
    """The vault in the second region, when copies are made."""
    vault_lock_mode: str
    """COMPLIANCE (nobody can lift the lock once its grace period ends) or GOVERNANCE, as AWS Backup applies it."""
    plan_id: pulumi.Output[str]
    """The backup plan."""
    restore_testing_plan_name: pulumi.Output[str]
    """The restore testing plan; its jobs show how long a restore takes."""
    role_arn: pulumi.Output[str]
    """The role AWS Backup uses to back up and restore the database."""
    rpo_minutes: int
    """Recovery point objective the plan gives, in minutes."""
    rto_minutes: int
    """Recovery time objective estimate, in minutes (see backup_schedule)."""
    meets_targets: bool
    """Whether RPO and RTO are within the targets."""

    def __init__(self, name: str, args: DatabaseBackupsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:DatabaseBackups", name, None, opts)
        args = args_of(DatabaseBackupsArgs, args)
        tags = dict(filled(args.tags))
        child = pulumi.ResourceOptions(parent=self)
        # Backups must outlive a mistaken `pulumi destroy` of the stack.
        keep = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)

        vault_name = schedule.backup_name(args.name_prefix, "database")
        vault = self._vault(name, vault_name, args, None, tags, keep)
        copy_vault = None
        if args.copy_to_region:
            copy_vault = self._vault(f"{name}-copy", vault_name, args, args.copy_to_region, tags, keep)

        role = aws.iam.Role(
            f"{name}-role",
            description=f"AWS Backup backs up and restores {args.database_arn}",
            assume_role_policy=schedule.backup_role_trust_policy(),
            tags=tags,
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(f"{name}-role-{purpose}", role=role.name, policy_arn=policy, opts=child)
            for purpose, policy in schedule.managed_policy_arns(filled(args.partition)).items()
        ]

        rules = schedule.plan_rules(
            retention_days=args.retention_days,
            continuous_retention_days=args.continuous_retention_days,
            monthly_days=filled(args.monthly_retention_days),
            lock_max_days=args.lock_max_retention_days,
            copy=copy_vault is not None,
        )
        plan = aws.backup.Plan(
            f"{name}-plan",
            name=vault_name,
            rules=[self._rule(rule, vault, copy_vault, filled(args.recovery_point_tags)) for rule in rules],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        aws.backup.Selection(
            f"{name}-selection",
            name=vault_name,
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=[args.database_arn],
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )

        restore_plan = self._restore_test(name, args, vault, role, attachments, tags)

        objectives = schedule.recovery_objectives(rules, filled(args.targets))
        if not objectives.meets_targets:
            pulumi.log.warn(
                f"database-backup-restore-tested: {'; '.join(objectives.shortfalls())} for {args.database_arn}",
                resource=self,
            )

        self.vault_arn = vault.arn
        self.copy_vault_arn = copy_vault.arn if copy_vault is not None else None
        self.vault_lock_mode = schedule.vault_lock_mode(args.lock_changeable_for_days)
        self.plan_id = plan.id
        self.restore_testing_plan_name = restore_plan.name
        self.role_arn = role.arn
        self.rpo_minutes = objectives.rpo_minutes
        self.rto_minutes = objectives.rto_minutes
        self.meets_targets = objectives.meets_targets
        self.register_outputs(
            {
                "vault_arn": self.vault_arn,
                "copy_vault_arn": self.copy_vault_arn,
                "vault_lock_mode": self.vault_lock_mode,
                "plan_id": self.plan_id,
                "restore_testing_plan_name": self.restore_testing_plan_name,
                "role_arn": self.role_arn,
                "rpo_minutes": self.rpo_minutes,
                "rto_minutes": self.rto_minutes,
                "meets_targets": self.meets_targets,
            }
        )

    def _vault(
        self,
        name: str,
        vault_name: str,
        args: DatabaseBackupsArgs,
        region: Optional[str],
        tags: dict,
        keep: pulumi.ResourceOptions,
    ) -> aws.backup.Vault:
        """A KMS key, a vault encrypted with it and the vault's lock, in `region` (None: the stack's)."""
        where = f" ({region} copy)" if region else ""
        key = aws.kms.Key(
            f"{name}-key",
            description=f"AWS Backup vault {vault_name}{where}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=schedule.backup_vault_key_policy(args.database_arn, region),
            region=region,
            tags=tags,
            opts=keep,
        )
        vault = aws.backup.Vault(
            f"{name}-vault",
            name=vault_name,
            kms_key_arn=key.arn,
            force_destroy=False,
            region=region,
            tags=tags,
            opts=keep,
        )
        aws.backup.VaultLockConfiguration(
            f"{name}-vault-lock",
            backup_vault_name=vault.name,
            min_retention_days=args.lock_min_retention_days,
            max_retention_days=args.lock_max_retention_days,
            changeable_for_days=args.lock_changeable_for_days,
            region=region,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        return vault

    @staticmethod
    def _rule(
        rule: schedule.PlanRule,
        vault: aws.backup.Vault,
        copy_vault: Optional[aws.backup.Vault],
        recovery_point_tags: Mapping[str, str],
    ) -> aws.backup.PlanRuleArgs:
        copies = None
        if rule.copied and copy_vault is not None:
            copies = [
                aws.backup.PlanRuleCopyActionArgs(
                    destination_vault_arn=copy_vault.arn,
                    lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(delete_after=rule.delete_after_days),
                )
            ]
        windows = (
            {}
            if rule.continuous
            else dict(
                start_window=schedule.SNAPSHOT_START_WINDOW_MINUTES,
                completion_window=schedule.SNAPSHOT_COMPLETION_WINDOW_MINUTES,
            )
        )
        return aws.backup.PlanRuleArgs(
            rule_name=rule.name,
            target_vault_name=vault.name,
            schedule=rule.schedule,
            enable_continuous_backup=rule.continuous,
            lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=rule.delete_after_days),
            copy_actions=copies,
            recovery_point_tags=dict(recovery_point_tags) or None,
            **windows,
        )

    def _restore_test(
        self,
        name: str,
        args: DatabaseBackupsArgs,
        vault: aws.backup.Vault,
        role: aws.iam.Role,
        attachments: list,
        tags: dict,
    ) -> aws.backup.RestoreTestingPlan:
        """Restore the latest recovery point on a schedule, into the private subnets, cut off from the network."""
        child = pulumi.ResourceOptions(parent=self)
        restore_name = schedule.backup_name(args.name_prefix, "restore-test").lower()
        subnets = aws.rds.SubnetGroup(
            f"{name}-restore-subnets",
            name=restore_name,
            description="Private subnets for AWS Backup restore tests of the ObjectOS database",
            subnet_ids=list(args.private_subnet_ids),
            tags=tags,
            opts=child,
        )
        # No rules: the restored copy holds production data and needs no traffic to
        # pass the restore test; add an ingress rule only for a validation job.
        isolated = aws.ec2.SecurityGroup(
            f"{name}-restore-sg",
            name=restore_name,
            description="AWS Backup restore tests of the ObjectOS database: no traffic in or out",
            vpc_id=args.vpc_id,
            ingress=[],
            egress=[],
            tags=tags,
            opts=child,
        )
        plan = aws.backup.RestoreTestingPlan(
            f"{name}-restore-plan",
            name=schedule.restore_test_name(args.name_prefix, "restore_test"),
            schedule_expression=args.restore_test_schedule,
            start_window_hours=args.start_window_hours,
            recovery_point_selection=aws.backup.RestoreTestingPlanRecoveryPointSelectionArgs(
                algorithm="LATEST_WITHIN_WINDOW",
                include_vaults=[vault.arn],
                recovery_point_types=["CONTINUOUS", "SNAPSHOT"],
                selection_window_days=7,
            ),
            tags=tags,
            opts=child,
        )
        aws.backup.RestoreTestingSelection(
            f"{name}-restore-selection",
            name=schedule.restore_test_name(args.name_prefix, "database"),
            restore_testing_plan_name=plan.name,
            protected_resource_type=schedule.restore_target_type(args.database_arn),
            protected_resource_arns=[args.database_arn],
            iam_role_arn=role.arn,
            validation_window_hours=args.validation_window_hours,
            restore_metadata_overrides={
                "dbSubnetGroupName": subnets.name,
                "vpcSecurityGroupIds": isolated.id.apply(lambda sg: json.dumps([sg])),
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
        )
        return plan
