"""The go-live checklist: one id per item, shared by settings errors, policies,
the preview report and the live verifier, and which tool judges each item.

Standard library only: the policy pack imports this module from its own
virtualenv, and the kit's settings import it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    title: str
    remediation: str
    supporting: bool = False


ITEMS: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "tls-at-edge",
        "TLS is terminated at the edge or ingress",
        "Serve HTTPS on 443 only with a validated ACM certificate and redirect HTTP to HTTPS.",
    ),
    ChecklistItem(
        "security-headers-present",
        "Security headers are set at the edge for every route",
        "Let the HeaderPolicy component own CSP, X-Content-Type-Options, X-Frame-Options, "
        "Referrer-Policy, Permissions-Policy and CORP; use the cloudfront edge when the ALB cannot set them.",
    ),
    ChecklistItem(
        "hsts-after-tls",
        "HSTS is sent only once TLS is validated",
        "Enable objectos:hsts only with a validated certificate; roll out max-age short, then a year, then preload.",
    ),
    ChecklistItem(
        "cors-explicit-origins",
        "CORS allows explicit origins only, never a wildcard with credentials",
        "List every https origin in objectos:cors.origins; never use '*'.",
    ),
    ChecklistItem(
        "rate-limits-auth-write",
        "Rate limits protect auth and write endpoints per client IP",
        "Keep the WAF auth (10/min), write (60/min) and read (600/min) rules on the web ACL associated with the edge.",
    ),
    ChecklistItem(
        "auth-secret-in-secret-store",
        "OS_AUTH_SECRET is strong and kept in a secret store",
        "Let AppSecrets generate OS_AUTH_SECRET into Secrets Manager and deliver it by secretKeyRef.",
    ),
    ChecklistItem(
        "no-baked-secrets",
        "No secret is baked into an image, artifact or manifest",
        "Deliver secrets through the External Secrets Operator and secretKeyRef; never put them in env values or URLs.",
    ),
    ChecklistItem(
        "oidc-callback-on-domain",
        "OIDC callback URLs are on the public domain",
        "Set each objectos:oidc callbackUrl to https://<domain>/api/v1/auth/sso/callback/<providerId>.",
    ),
    ChecklistItem(
        "database-backup-restore-tested",
        "Business-database backups exist and restore is tested",
        "Keep the AWS Backup plan, its selection of the database and the restore testing plan.",
    ),
    ChecklistItem(
        "audit-log-retention",
        "Audit logs are kept per customer policy",
        "Set objectos:auditLog.retentionDays to the customer's policy; keep Object Lock on the archive.",
    ),
    ChecklistItem(
        "cross-org-access-denied",
        "Cross-organization negative access tests pass",
        "Run `python -m golive verify --access FILE` against the deployed stack.",
    ),
    ChecklistItem(
        "release-pins-image-and-artifact",
        "The release pins image and artifact together so a rollback moves both",
        "Pin the image by digest and the artifact URL by #sha256=; change them only with `golive release`.",
    ),
    ChecklistItem(
        "redis-encrypted-with-auth",
        "Redis is encrypted in transit and at rest and requires AUTH",
        "Use the RedisCache component; do not turn off transit encryption or the AUTH token.",
        supporting=True,
    ),
    ChecklistItem(
        "stateful-resources-protected",
        "Stateful resources are protected from deletion",
        "Keep protect=True on keys, secrets, vaults, plans, buckets and caches.",
        supporting=True,
    ),
    ChecklistItem(
        "waf-logging-redacted",
        "WAF logs go to an aws-waf-logs- destination with credentials redacted",
        "Keep the WAF logging configuration with the authorization and cookie headers redacted.",
        supporting=True,
    ),
    ChecklistItem(
        "pods-can-start",
        "Every pod the stack declares can start: the Secrets, ConfigMaps and accounts it needs are delivered",
        "Produce each Secret a pod requires in the stack (an ExternalSecret with that target.name, or a Secret), "
        "mark a reference optional if the pod starts without it, or list a Secret made outside the stack in the "
        "policy's externalSecrets; in this kit set objectos:kubernetes.oidcProviderArn so secrets are delivered.",
        supporting=True,
    ),
    ChecklistItem(
        "runtime-edition-topology",
        "The pod topology is one the runtime edition boots without split brain",
        "On the open edition run one pod (replicas 1, autoscaler ceiling 1, Recreate rollouts, no cluster driver); "
        "more pods need a licensed image (objectos:edition: licensed) with OS_CLUSTER_DRIVER=redis and OS_REDIS_URL.",
        supporting=True,
    ),
    ChecklistItem(
        "aws-inputs-valid",
        "Every AWS input passes AWS's own API rules",
        "Change the named input so it meets the rule the message quotes (for example only letters, digits, "
        "spaces and ._-:/()#,@[]+=&;{}!$* in a security group rule description); the source names the "
        "botocore model member that states the rule.",
        supporting=True,
    ),
    ChecklistItem(
        "pods-run-restricted",
        "Every pod meets the restricted Pod Security Standard, in a namespace that enforces it",
        "Give every container securityContext privileged false, allowPrivilegeEscalation false, runAsNonRoot true, "
        "readOnlyRootFilesystem true and capabilities.drop [ALL]; label the namespace "
        "pod-security.kubernetes.io/enforce: restricted (the AppNamespace component does).",
        supporting=True,
    ),
    ChecklistItem(
        "network-exposure-limited",
        "No data or administration port is open to the whole internet",
        "Allow database, cache, search, NFS, SSH and RDP ports only from the security groups or CIDRs of their "
        "clients, never 0.0.0.0/0 or ::/0 (nor an all-traffic rule); list other ports in the policy's dataPorts.",
        supporting=True,
    ),
    ChecklistItem(
        "iam-no-wildcard-admin",
        "No IAM policy allows every action on every resource",
        "List the actions and resources each principal needs instead of Action '*' on Resource '*' (or "
        "NotAction/NotResource, or AdministratorAccess); keep administrators in the identity provider, not the stack.",
        supporting=True,
    ),
    ChecklistItem(
        "s3-public-access-blocked",
        "No S3 bucket can be made public",
        "Give every bucket a BucketPublicAccessBlock with all four settings true (or block public access for the "
        "account); never grant a '*' principal without a condition, nor a public-read ACL.",
        supporting=True,
    ),
    ChecklistItem(
        "app-network-default-deny",
        "The app's namespace denies network traffic by default and allows only what the app needs",
        "Keep the workload's network policy (WorkloadArgs.network_policy): default deny for ingress and egress, "
        "then ingress from the edge on the app port and egress to DNS, the database, Redis and HTTPS.",
        supporting=True,
    ),
    ChecklistItem(
        "kms-key-policy-scoped",
        "Every KMS key has a key policy scoped to its users",
        "Write each key's policy: the account administers it, and only the services that use it (kms:ViaService, "
        "aws:SourceAccount conditions) may encrypt and decrypt; never the default account-wide kms:* alone.",
        supporting=True,
    ),
    ChecklistItem(
        "access-logging-enabled",
        "The edge and the audit archive keep access logs",
        "Give the CloudFront distribution a loggingConfig, the ALB access_logs (the AccessLogBucket component's "
        "bucket), and the audit archive bucket server access logging to that bucket.",
        supporting=True,
    ),
)

BY_ID: dict[str, ChecklistItem] = {item.id: item for item in ITEMS}


def item(check_id: str) -> ChecklistItem:
    """The checklist item with this id; a KeyError names unknown ids."""
    return BY_ID[check_id]


# --- which tools judge each item ---------------------------------------------------

LIVE_ONLY: dict[str, str] = {"cross-org-access-denied": "verified live by golive verify --access"}
"""Items no policy can judge before deploy, with where they are verified; every other item has a policy."""

AWS_VERIFIED: tuple[str, ...] = (
    "rate-limits-auth-write",
    "auth-secret-in-secret-store",
    "database-backup-restore-tested",
    "audit-log-retention",
    "redis-encrypted-with-auth",
    "waf-logging-redacted",
)
"""Items `golive verify --aws` judges from the deployed resources, in checklist order."""


def policy_judged() -> list[str]:
    """Ids of the items the policy pack judges, in checklist order."""
    return [i.id for i in ITEMS if i.id not in LIVE_ONLY]
