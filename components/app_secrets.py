"""AppSecrets: the stack's Secrets Manager entries, their KMS key and the workload's IAM role.

Which entries exist, how they are generated and every policy document come
from `secret_catalog`; this component only declares the resources. Generated
values come from pulumi_random (made once by the provider, kept encrypted in
the state), never from Python's random at program run time.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from . import secret_catalog as catalog
from .inputs import args_of, fill_defaults, filled
from .secret_catalog import Encoding, SecretEntry, SecretSource

KEY_DELETION_WINDOW_DAYS = 30
ROLE_NAME_MAX = 64


@dataclass
class WorkloadIdentity:
    """The Kubernetes service account the workload's IAM role trusts (IRSA)."""

    oidc_provider_arn: str
    """The EKS cluster's IAM OIDC provider."""
    issuer_host: str
    """The provider's issuer without https:// (the prefix of the sub and aud condition keys)."""
    namespace: str
    """Namespace of the service account."""
    service_account: Optional[str] = catalog.SERVICE_ACCOUNT
    """Service account name."""

    def __post_init__(self) -> None:
        fill_defaults(self)


@dataclass
class AppSecretsArgs:
    """Inputs of AppSecrets."""

    stack: str
    """Stack name: entries are named objectos/<stack>/<NAME>."""
    region: str
    """AWS region of the entries and the key."""
    account_id: str
    """AWS account that owns the key and the entries."""
    entries: Sequence[SecretEntry]
    """The entries to create (see secret_catalog.entries)."""
    admin_role_arns: Sequence[str]
    """Role ARNs (patterns allowed) that may read every entry besides the workload; include the deployer."""
    given_values: Optional[Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Values for entries whose source is "given", by entry env name."""
    recovery_window_days: Optional[int] = 30
    """Days a deleted entry can be restored (7..30)."""
    workload: Optional[WorkloadIdentity] = None
    """The service account whose IAM role reads the delivered entries; None: no role."""
    partition: Optional[str] = "aws"
    """AWS partition of the ARNs."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on every AWS resource."""

    def __post_init__(self) -> None:
        fill_defaults(self)


class AppSecrets(pulumi.ComponentResource):
    """A rotating KMS key, one Secrets Manager entry per value, reads denied to all but the workload and admins."""

    key_arn: pulumi.Output[str]
    """The KMS key that encrypts the entries (and the stack's Redis and its log group)."""
    secret_arns: dict[str, pulumi.Output[str]]
    """Entry env name -> Secrets Manager ARN."""
    generated: dict[str, pulumi.Output[str]]
    """Entry env name -> generated value (a Pulumi secret)."""
    workload_role_arn: Optional[pulumi.Output[str]]
    """The workload's IAM role (annotate its service account with it); None without a WorkloadIdentity."""
    workload_role_name: Optional[pulumi.Output[str]]
    """The workload's IAM role name, to attach the workload's other policies to; None without a WorkloadIdentity."""
    unset_secrets: list[str]
    """Names of the entries created empty: the operator fills them out of band."""

    def __init__(self, name: str, args: AppSecretsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:AppSecrets", name, None, opts)
        args = args_of(AppSecretsArgs, args)
        tags = dict(filled(args.tags))
        stateful = pulumi.ResourceOptions(parent=self, protect=True)
        # The database's encrypted settings are unreadable without OS_SECRET_KEY: it outlives the stack.
        lasting = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)

        key = aws.kms.Key(
            f"{name}-key",
            aws.kms.KeyArgs(
                description=f"ObjectOS {args.stack}: secrets, Redis and their logs",
                enable_key_rotation=True,
                deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
                policy=json.dumps(catalog.key_policy(args.account_id, args.region, args.stack, filled(args.partition))),
                tags=tags,
            ),
            opts=lasting,
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            aws.kms.AliasArgs(name=f"alias/objectos/{args.stack}/secrets", target_key_id=key.key_id),
            opts=pulumi.ResourceOptions(parent=self),
        )

        role = self._workload_role(name, args.stack, args.workload, tags) if args.workload else None

        self.secret_arns, self.generated = {}, {}
        for entry in args.entries:
            keep = lasting if entry.env == catalog.SECRET_KEY else stateful
            secret = aws.secretsmanager.Secret(
                f"{name}-{entry.slug}",
                aws.secretsmanager.SecretArgs(
                    name=entry.name,
                    description=entry.description,
                    kms_key_id=key.arn,
                    recovery_window_in_days=args.recovery_window_days,
                    tags=tags,
                ),
                opts=keep,
            )
            self.secret_arns[entry.env] = secret.arn
            readers = [*args.admin_role_arns, *([role.arn] if role and entry.delivered else [])]
            aws.secretsmanager.SecretPolicy(
                f"{name}-{entry.slug}-policy",
                aws.secretsmanager.SecretPolicyArgs(
                    secret_arn=secret.arn,
                    policy=pulumi.Output.all(secret.arn, *readers).apply(
                        lambda values: json.dumps(catalog.secret_resource_policy(values[0], values[1:]))
                    ),
                    block_public_policy=True,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            value = self._value(name, entry, args, keep)
            if value is not None:
                aws.secretsmanager.SecretVersion(
                    f"{name}-{entry.slug}-value",
                    aws.secretsmanager.SecretVersionArgs(
                        secret_id=secret.id, secret_string=pulumi.Output.secret(value)
                    ),
                    opts=keep if entry.source == SecretSource.GENERATED else pulumi.ResourceOptions(parent=self),
                )

        self.workload_role_arn = self.workload_role_name = None
        if role is not None:
            delivered = [self.secret_arns[e.env] for e in args.entries if e.delivered]
            aws.iam.RolePolicy(
                f"{name}-workload-read",
                aws.iam.RolePolicyArgs(
                    role=role.id,
                    name="read-objectos-secrets",
                    policy=pulumi.Output.all(key.arn, *delivered).apply(
                        lambda values: json.dumps(catalog.workload_read_policy(values[1:], values[0], args.region))
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.workload_role_arn = role.arn
            self.workload_role_name = role.name

        self.key_arn = key.arn
        self.unset_secrets = [e.name for e in args.entries if e.source == SecretSource.UNSET]
        self.register_outputs(
            {
                "key_arn": self.key_arn,
                "secret_arns": self.secret_arns,
                "workload_role_arn": self.workload_role_arn,
                "workload_role_name": self.workload_role_name,
                "unset_secrets": self.unset_secrets,
            }
        )

    def _workload_role(self, name: str, stack: str, identity: WorkloadIdentity, tags: dict) -> aws.iam.Role:
        trust = catalog.workload_trust_policy(
            identity.oidc_provider_arn, identity.issuer_host, identity.namespace, filled(identity.service_account)
        )
        return aws.iam.Role(
            f"{name}-workload",
            aws.iam.RoleArgs(
                name=f"objectos-{stack}-workload"[:ROLE_NAME_MAX],
                description=f"ObjectOS {stack}: {identity.namespace}/{identity.service_account} reads its secrets",
                assume_role_policy=json.dumps(trust),
                tags=tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _value(
        self, name: str, entry: SecretEntry, args: AppSecretsArgs, opts: pulumi.ResourceOptions
    ) -> Optional[pulumi.Input[str]]:
        """The entry's value, or None when the kit does not write it here."""
        if entry.source == SecretSource.GIVEN:
            given_values = filled(args.given_values)
            if entry.env not in given_values:
                raise ValueError(f"{entry.env} is marked given but has no value in given_values")
            return given_values[entry.env]
        if entry.source != SecretSource.GENERATED:
            return None
        spec = entry.generator
        if spec is None:
            raise ValueError(f"{entry.env} is generated but has no generator")
        if spec.encoding == Encoding.TEXT:
            password = random.RandomPassword(
                f"{name}-{entry.slug}-generated",
                random.RandomPasswordArgs(
                    length=spec.length,
                    special=bool(spec.symbols),
                    override_special=spec.symbols or None,
                ),
                opts=opts,
            )
            value = password.result
        else:
            raw = random.RandomBytes(
                f"{name}-{entry.slug}-generated", random.RandomBytesArgs(length=spec.length), opts=opts
            )
            value = raw.hex if spec.encoding == Encoding.HEX else raw.base64
        self.generated[entry.env] = pulumi.Output.secret(value)
        return value
