"""ObjectOS on AWS and Kubernetes as reusable Pulumi components.

Installed, this folder is the `objectos_components` package. Every component
and its Args import from the package itself (`from objectos_components import
WafRateLimits, WafRateLimitsArgs`) or from its own module. The pure modules
(headers, waf_rules, backup_schedule, secret_catalog, pins...) need neither
Pulumi nor the cloud SDKs, so components are imported only when first used.
"""

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS = {
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
    "CorsPolicy": "headers",
    "EdgeMode": "headers",
    "HeaderSet": "headers",
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
    "RateLimit": "waf_rules",
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
    return getattr(importlib.import_module(f".{module}", __name__), name)


def all_components() -> list[type]:
    """Every component class of the package (what the component provider hosts)."""
    return [__getattr__(name) for name in COMPONENTS]


if TYPE_CHECKING:  # editors and type checkers see the lazy names
    from .app_secrets import AppSecrets, AppSecretsArgs, WorkloadIdentity
    from .audit_log_retention import AuditLogRetention, AuditLogRetentionArgs, ObjectLockMode
    from .backup_schedule import RecoveryTargets
    from .certificates import DnsValidatedCertificate, DnsValidatedCertificateArgs
    from .cloudfront_edge import CloudfrontEdge, CloudfrontEdgeArgs
    from .database_backups import DatabaseBackups, DatabaseBackupsArgs
    from .header_policy import HeaderPolicy, HeaderPolicyArgs
    from .headers import CorsPolicy, EdgeMode, HeaderSet
    from .namespace import AppNamespace, AppNamespaceArgs
    from .pinned_release import PinnedRelease, PinnedReleaseArgs
    from .redis_cache import RedisCache, RedisCacheArgs
    from .secret_catalog import Encoding, SecretEntry, SecretGenerator, SecretSource
    from .secret_delivery import SecretDelivery, SecretDeliveryArgs
    from .tls_ingress import TlsIngress, TlsIngressArgs
    from .waf_rate_limits import WafRateLimits, WafRateLimitsArgs
    from .waf_rules import RateLimit
    from .workload import ObjectOsWorkload, WorkloadArgs
