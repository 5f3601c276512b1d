"""ObjectOS on AWS and Kubernetes as reusable Pulumi components.

Installed, this folder is the `objectos_components` package, shipped with
`objectos_core`, the domain facts it builds from (header set, WAF rules, pins,
names, limits). Every component and its Args import from the package itself
(`from objectos_components import WafRateLimits, WafRateLimitsArgs`) or from its
own module. Components import only objectos_core, the Pulumi SDKs and each other:
never the kit's settings. The pure modules (objectos_core, backup_schedule,
secret_catalog) need neither Pulumi nor the cloud SDKs, so components are
imported only when first used.
"""

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> module that defines it (relative to this package, or in objectos_core).
_EXPORTS = {
    "AccessLogBucket": "access_logs",
    "AccessLogBucketArgs": "access_logs",
    "AppNamespace": "namespace",
    "AppNamespaceArgs": "namespace",
    "AppSecrets": "app_secrets",
    "AppSecretsArgs": "app_secrets",
    "WorkloadIdentity": "app_secrets",
    "AuditLogRetention": "audit_log_retention",
    "AuditLogRetentionArgs": "audit_log_retention",
    "ObjectLockMode": "audit_log_retention",
    "CloudfrontEdge": "cloudfront_edge",
    "CloudfrontEdgeArgs": "cloudfront_edge",
    "DatabaseBackups": "database_backups",
    "DatabaseBackupsArgs": "database_backups",
    "RecoveryTargets": "backup_schedule",
    "DnsValidatedCertificate": "certificates",
    "DnsValidatedCertificateArgs": "certificates",
    "HeaderPolicy": "header_policy",
    "HeaderPolicyArgs": "header_policy",
    "CorsPolicy": "objectos_core.headers",
    "EdgeMode": "objectos_core.headers",
    "HeaderSet": "objectos_core.headers",
    "ObjectOsWorkload": "workload",
    "WorkloadArgs": "workload",
    "PinnedRelease": "pinned_release",
    "PinnedReleaseArgs": "pinned_release",
    "RedisCache": "redis_cache",
    "RedisCacheArgs": "redis_cache",
    "SecretDelivery": "secret_delivery",
    "SecretDeliveryArgs": "secret_delivery",
    "Encoding": "secret_catalog",
    "SecretEntry": "secret_catalog",
    "SecretGenerator": "secret_catalog",
    "SecretSource": "secret_catalog",
    "TlsIngress": "tls_ingress",
    "TlsIngressArgs": "tls_ingress",
    "RateLimit": "objectos_core.waf_rules",
    "WafRateLimits": "waf_rate_limits",
    "WafRateLimitsArgs": "waf_rate_limits",
}
__all__ = ["__version__", *sorted(_EXPORTS)]

# The component classes, in the order the provider hosts them.
COMPONENTS = (
    "AppNamespace",
    "AppSecrets",
    "RedisCache",
    "SecretDelivery",
    "PinnedRelease",
    "WafRateLimits",
    "DatabaseBackups",
    "AccessLogBucket",
    "AuditLogRetention",
    "ObjectOsWorkload",
    "DnsValidatedCertificate",
    "HeaderPolicy",
    "TlsIngress",
    "CloudfrontEdge",
)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where = module if module.startswith("objectos_core.") else f".{module}"
    return getattr(importlib.import_module(where, __name__), name)


def all_components() -> list[type]:
    """Every component class of the package (what the component provider hosts)."""
    return [__getattr__(name) for name in COMPONENTS]


if TYPE_CHECKING:  # editors and type checkers see the lazy names
    from objectos_core.headers import CorsPolicy, EdgeMode, HeaderSet
    from objectos_core.waf_rules import RateLimit

    from .access_logs import AccessLogBucket, AccessLogBucketArgs
    from .app_secrets import AppSecrets, AppSecretsArgs, WorkloadIdentity
    from .audit_log_retention import AuditLogRetention, AuditLogRetentionArgs, ObjectLockMode
    from .backup_schedule import RecoveryTargets
    from .certificates import DnsValidatedCertificate, DnsValidatedCertificateArgs
    from .cloudfront_edge import CloudfrontEdge, CloudfrontEdgeArgs
    from .database_backups import DatabaseBackups, DatabaseBackupsArgs
    from .header_policy import HeaderPolicy, HeaderPolicyArgs
    from .namespace import AppNamespace, AppNamespaceArgs
    from .pinned_release import PinnedRelease, PinnedReleaseArgs
    from .redis_cache import RedisCache, RedisCacheArgs
    from .secret_catalog import Encoding, SecretEntry, SecretGenerator, SecretSource
    from .secret_delivery import SecretDelivery, SecretDeliveryArgs
    from .tls_ingress import TlsIngress, TlsIngressArgs
    from .waf_rate_limits import WafRateLimits, WafRateLimitsArgs
    from .workload import ObjectOsWorkload, WorkloadArgs
