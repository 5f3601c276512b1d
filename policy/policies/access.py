"""Access policies: no IAM administrator wildcard, no public S3 bucket, no KMS key on the default key policy.

Each reads any program's resources, under every type token that carries the same
document: identity policies wherever IAM keeps them (managed, inline on a role,
role/user/group policies, SSO permission sets), buckets of both generations and
their ACL/policy resources, keys of every KMS key type and a key policy given
by a separate resource.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import ResourceValidationArgs, Severity

from policy.policies._base import Config, Report, resource_policy, stack_policy
from policy.policies._documents import Statement, document, is_account_root, statements
from policy.policies._graph import Graph
from policy.policies._props import UNKNOWN, elements, get, is_mapping, strings, text

# --- iam-no-wildcard-admin ------------------------------------------------------------------

IDENTITY_POLICIES = {  # type -> the property holding the document
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": "inlinePolicy",
}
ROLE = "aws:iam/role:Role"
ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
)
EXCLUSIVE_ATTACHMENTS = (  # the whole set of managed policies attached, as `policyArns`
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
)
ADMIN_POLICY_SUFFIX = ":policy/AdministratorAccess"
ALL_ACTIONS = ("*", "*:*")


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """(where, document value) of each identity policy document the resource holds."""
    kind, props = args.resource_type, args.props
    if kind in IDENTITY_POLICIES:
        yield IDENTITY_POLICIES[kind], get(props, IDENTITY_POLICIES[kind])
    elif kind == ROLE:
        for index, inline in enumerate(elements(get(props, "inlinePolicies"))):
            if is_mapping(inline):
                name = text(get(inline, "name")) or str(index)
                yield f"inline policy '{name}'", get(inline, "policy")


def _admin_statement(statement: Statement) -> bool:
    """Allow of every action on every resource, also spelt NotAction / NotResource (all but a few)."""
    if not statement.allows:
        return False
    every_action = statement.not_actions is not None or any(a in ALL_ACTIONS for a in statement.actions)
    every_resource = statement.not_resources is not None or "*" in statement.resources
    return every_action and every_resource


def _wildcard_admin(args: ResourceValidationArgs, config: Config, report: Report) -> None:
    for where, raw in _documents(args):
        doc = document(raw)
        if not report.known(doc, where):
            continue
        for statement in statements(doc):
            if _admin_statement(statement):
                spelt = "NotAction/NotResource" if statement.not_actions or statement.not_resources else "'*'"
                report(
                    f"{where} {statement.where} allows every action on every resource ({spelt}): an administrator "
                    "wildcard. Fix: list the actions and resources the principal needs"
                )
            elif statement.allows and statement.unknown():
                report.known(UNKNOWN, f"{where} {statement.where}")
    if args.resource_type in ATTACHMENTS:
        arn = get(args.props, "policyArn") if "policyArn" in args.props else get(args.props, "managedPolicyArn")
        if report.known(arn, "policyArn") and isinstance(arn, str) and arn.endswith(ADMIN_POLICY_SUFFIX):
            report("attaches AdministratorAccess (every action on every resource). Fix: attach a scoped policy")
    listing = "managedPolicyArns" if args.resource_type == ROLE else "policyArns"
    if args.resource_type in (ROLE, *EXCLUSIVE_ATTACHMENTS):
        arns = get(args.props, listing)
        if report.known(arns, listing) and any(a.endswith(ADMIN_POLICY_SUFFIX) for a in strings(arns)):
            report(f"lists AdministratorAccess in {listing}. Fix: attach a scoped policy")


iam_no_wildcard_admin = resource_policy(
    "iam-no-wildcard-admin",
    "No IAM policy may allow every action on every resource: Action '*' (or '*:*') on Resource '*', the same "
    "through NotAction or NotResource, or the AWS-managed AdministratorAccess policy.",
    Severity.CRITICAL,
    _wildcard_admin,
    types=[*IDENTITY_POLICIES, ROLE, *ATTACHMENTS, *EXCLUSIVE_ATTACHMENTS],
    tags=["aws", "iam", "security"],
)


# --- s3-public-access-blocked ---------------------------------------------------------------

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
BUCKET_POLICIES = ("aws:s3/bucketPolicy:BucketPolicy",)
BUCKET_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _flags_off(block: Any, report: Report, where: str) -> list[str]:
    """The public access block's flags that are not true (unknown ones noted, not counted)."""
    off = []
    for flag in BLOCK_FLAGS:
        value = get(block.props, flag)
        if not report.known(value, f"{where}.{flag}"):
            continue
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{flag} must be a boolean")
        if value is not True:
            off.append(flag)
    return off


def _public_statements(doc: Any) -> list[str]:
    return [
        s.where for s in statements(doc) if s.allows and (s.any_principal or s.not_principal) and s.condition is None
    ]


def _public_grants(holder: Any) -> list[str]:
    found = []
    acl = get(holder, "acl")
    if isinstance(acl, str) and acl in PUBLIC_ACLS:
        found.append(f"the canned ACL {acl}")
    grants = [*elements(get(holder, "grants")), *elements(get(holder, "accessControlPolicy", "grants"))]
    for grant in grants:
        uri = get(grant, "uri") if get(grant, "uri") is not None else get(grant, "grantee", "uri")
        if isinstance(uri, str) and uri in PUBLIC_GROUPS:
            found.append(f"a grant to {uri.rsplit('/', 1)[-1]}")
    return found


def _public_access(graph: Graph, config: Config, report: Report) -> None:
    account_blocked = False
    for block in graph.of_type(ACCOUNT_BLOCK):
        off = _flags_off(block, report, block.name)
        if off:
            report(f"the account's public access block leaves {', '.join(off)} off. Fix: set all four true", block.urn)
        else:
            account_blocked = True
    buckets = graph.of_type(*BUCKETS)
    blocks = graph.of_type(ACCESS_BLOCK)
    order = {id(b): i for i, b in enumerate(blocks)}
    named: dict[Optional[str], list[Any]] = {}  # indexed once: pairing every bucket with every block is quadratic
    for block in blocks if buckets else []:
        named.setdefault(_named(block), []).append(block)
    for bucket in buckets:
        name = text(get(bucket.props, "bucket")) or bucket.name
        mine = [*graph.holders(bucket, [ACCESS_BLOCK], "bucket", BUCKETS), *named.get(name, [])]
        mine = sorted({id(b): b for b in mine}.values(), key=lambda b: order[id(b)])
        if not mine and not account_blocked:
            report(
                f"bucket '{name}' has no public access block. Fix: add a BucketPublicAccessBlock with "
                f"{', '.join(BLOCK_FLAGS)} all true (or block public access for the account)",
                bucket.urn,
            )
        for block in mine:
            off = _flags_off(block, report, block.name)
            if off and not account_blocked:
                report(f"the public access block of bucket '{name}' leaves {', '.join(off)} off", block.urn)
        _judge_grants(bucket, name, report, inline=True)
    for holder in graph.of_type(*BUCKET_POLICIES, *BUCKET_ACLS):
        _judge_grants(holder, text(get(holder.props, "bucket")) or holder.name, report, inline=False)


def _named(block: Any) -> Optional[str]:
    """The bucket name a block gives in `bucket` (a recorded dependency links it even on a first preview)."""
    return text(get(block.props, "bucket"))


def _judge_grants(holder: Any, name: str, report: Report, inline: bool) -> None:
    raw = get(holder.props, "policy")
    doc = document(raw)
    if report.known(doc, f"{holder.name}.policy") and doc is not None:
        public = _public_statements(doc)
        if public:
            report(
                f"the policy of bucket '{name}' allows anyone ('*' principal, no condition) in {', '.join(public)}. "
                "Fix: name the principals, or add a condition such as aws:SourceAccount",
                holder.urn,
            )
    grants = _public_grants(holder.props)
    if grants:
        report(f"bucket '{name}' is public through {', '.join(grants)}. Fix: use the private ACL", holder.urn)


s3_public_access_blocked = stack_policy(
    "s3-public-access-blocked",
    "Every S3 bucket must have a public access block with all four settings true (or the account's block must), "
    "and no bucket policy or ACL may grant access to anyone: a '*' principal without a condition, a public-read "
    "or authenticated-read ACL, or a grant to AllUsers/AuthenticatedUsers.",
    Severity.CRITICAL,
    _public_access,
    tags=["aws", "s3", "security"],
)


# --- kms-key-policy-scoped ------------------------------------------------------------------

KEYS = (
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
)
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ALL_KMS = ("*", "kms:*")


def _default_only(doc: Any) -> bool:
    """The default key policy's effect alone: every allow is the account root with kms:*, unconditioned."""
    allows = [s for s in statements(doc) if s.allows]
    return bool(allows) and all(
        s.condition is None
        and any(a in ALL_KMS for a in s.actions)
        and all(is_account_root(p) for p in (s.principals or {}).get("AWS", ("?",)))
        and set(s.principals or {}) == {"AWS"}
        for s in allows
    )


def _judge_key_policy(holder: Any, raw: Any, key_name: str, report: Report) -> None:
    doc = document(raw)
    if not report.known(doc, f"{holder.name}.policy"):
        return
    if doc is None:
        report(
            f"key '{key_name}' has no key policy, so AWS gives it the default (the account root may do kms:*). "
            "Fix: write a key policy: the account administers the key, the services that use it get only their "
            "actions under kms:ViaService / aws:SourceAccount conditions",
            holder.urn,
        )
        return
    if any(s.unknown() for s in statements(doc)):
        report.known(UNKNOWN, f"{holder.name}.policy")
        return
    if _default_only(doc):
        report(
            f"key '{key_name}' has only the default key policy (the account root may do kms:*). Fix: grant the "
            "account administration actions, and use of the key only through the services that need it "
            "(kms:ViaService / aws:SourceAccount conditions)",
            holder.urn,
        )
    for s in statements(doc):
        if s.allows and (s.any_principal or s.not_principal) and s.condition is None:
            report(f"key '{key_name}' key policy {s.where} allows anyone ('*' principal, no condition)", holder.urn)


def _key_policies(graph: Graph, config: Config, report: Report) -> None:
    for key in graph.of_type(*KEYS):
        name = text(get(key.props, "description")) or key.name
        given = graph.holders(key, [KEY_POLICY], "keyId", KEYS)
        if given:
            for policy in given:
                _judge_key_policy(policy, get(policy.props, "policy"), name, report)
        else:
            _judge_key_policy(key, get(key.props, "policy"), name, report)


kms_key_policy_scoped = stack_policy(
    "kms-key-policy-scoped",
    "Every customer-managed KMS key must have an explicit key policy that is more than the default (the account "
    "root allowed kms:*): administration for the account, use only by the services and principals that need it, "
    "and no '*' principal without a condition.",
    Severity.HIGH,
    _key_policies,
    tags=["aws", "kms", "security"],
)

POLICIES = [iam_no_wildcard_admin, s3_public_access_blocked, kms_key_policy_scoped]
