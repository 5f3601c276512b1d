"""The ObjectOS stack: settings -> components -> exports.

`build(settings)` declares every resource from validated settings and exports
the stack's outputs; it reads no configuration (program.main does, once).
Every component takes typed Args; the kit's settings reach them only through
program/adapters.py. Each section below belongs to one concern; the order
follows the data flow.
"""

from collections.abc import Mapping
from typing import Any, Optional

import pulumi

from components import secret_catalog
from components.access_logs import AccessLogBucket, AccessLogBucketArgs
from components.app_secrets import AppSecrets, AppSecretsArgs, WorkloadIdentity
from components.audit_log_retention import AuditLogRetention, AuditLogRetentionArgs
from components.aws_provider import ProviderConfigError, regional_provider
from components.certificates import DnsValidatedCertificate, DnsValidatedCertificateArgs
from components.cloudfront_edge import CloudfrontEdge, CloudfrontEdgeArgs
from components.database_backups import DatabaseBackups, DatabaseBackupsArgs
from components.header_policy import HeaderPolicy, HeaderPolicyArgs
from components.namespace import AppNamespace, AppNamespaceArgs
from components.pinned_release import PinnedRelease, PinnedReleaseArgs
from components.redis_cache import RedisCache, RedisCacheArgs
from components.secret_delivery import SecretDelivery, SecretDeliveryArgs
from components.tls_ingress import CLOUDFRONT_ORIGIN_FACING, ORIGIN_HEADER, TlsIngress, TlsIngressArgs
from components.waf_rate_limits import WafRateLimits, WafRateLimitsArgs
from components.workload import ObjectOsWorkload, WorkloadArgs
from objectos_core import names as aws_names
from objectos_core.names import TAG_RELEASE
from objectos_core.waf_rules import RateLimit
from program import adapters
from settings.model import Settings, aws_tags


def build(settings: Settings, aws_config: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """Declare the stack for these settings; export and return its outputs.

    `aws_config` is the stack's `aws:*` configuration, which explicit providers inherit.
    """
    tags = aws_tags(settings)
    partition = aws_names.partition(settings.region)

    # --- providers ------------------------------------------------------------------
    # CloudFront's certificate and web ACL live in us-east-1 whatever the stack's region;
    # that provider keeps the stack's own aws:* settings (profile, roles, account guards).
    try:
        us_east_1 = (
            regional_provider("us-east-1", aws_config or {}, "us-east-1", tags)
            if settings.edge.mode == "cloudfront"
            else None
        )
    except ProviderConfigError as exc:
        raise pulumi.RunError(str(exc)) from None

    # --- secrets ------------------------------------------------------------------
    # One Secrets Manager entry per value; pods get them by secretKeyRef from the
    # Kubernetes Secrets the External Secrets Operator produces, never as plain values.
    secret_entries = adapters.secret_entries(settings)
    # One account: the IAM role trusts it, the secret store signs in as it, the pods run as it.
    service_account = secret_catalog.SERVICE_ACCOUNT
    issuer_host = settings.kubernetes.oidc_issuer_host
    secrets = AppSecrets(
        "objectos-secrets",
        AppSecretsArgs(
            stack=settings.stack,
            region=settings.region,
            account_id=settings.database.account_id,
            partition=partition,
            entries=secret_entries,
            admin_role_arns=adapters.admin_roles(settings),
            given_values={
                name: pulumi.Output.secret(value.get_secret_value()) for name, value in settings.secret_values.items()
            },
            recovery_window_days=settings.secrets.recovery_window_days,
            workload=(
                WorkloadIdentity(
                    settings.kubernetes.oidc_provider_arn, issuer_host, settings.kubernetes.namespace, service_account
                )
                if settings.kubernetes.oidc_provider_arn and issuer_host
                else None
            ),
            tags=tags,
        ),
    )
    if secrets.workload_role_arn is None:
        pulumi.log.warn(
            "objectos:kubernetes.oidcProviderArn is not set, so the kit creates the secrets but neither the workload's "
            f"IAM role nor the ExternalSecret: nothing produces the Kubernetes Secret {secret_catalog.KUBERNETES_SECRET} "
            "and the pods wait for it. Set oidcProviderArn to the cluster's IAM OIDC provider (see docs/secrets.md) "
            "(no-baked-secrets)"
        )

    # --- namespace ------------------------------------------------------------------
    # The service account exists before the secret store signs in as it and the pods run as it.
    namespace = AppNamespace(
        "objectos",
        AppNamespaceArgs(
            name=settings.kubernetes.namespace,
            service_account=service_account,
            service_account_annotations=(
                {"eks.amazonaws.com/role-arn": secrets.workload_role_arn}
                if secrets.workload_role_arn is not None
                else {}
            ),
        ),
    )

    # --- secret delivery ------------------------------------------------------------
    # Two Secrets from one store: the migration Job reads only the first; the second,
    # with OS_REDIS_URL, waits for Redis. Each Secret's keys are the env var names.
    delivered = [entry for entry in secret_entries if entry.delivered]
    core_keys = {e.env: e.name for e in delivered if e.env not in secret_catalog.SERVER_ONLY}
    server_keys = {e.env: e.name for e in delivered if e.env in secret_catalog.SERVER_ONLY}  # empty with one pod
    # The first sync needs the entries, their values, the role and the account.
    store_access: list[pulumi.Resource] = [secrets, namespace.service_account]
    core_delivery = None
    if secrets.workload_role_arn is not None:
        core_delivery = SecretDelivery(
            secret_catalog.KUBERNETES_SECRET,
            SecretDeliveryArgs(
                namespace=namespace.name,
                region=settings.region,
                target_secret=secret_catalog.KUBERNETES_SECRET,
                keys=core_keys,
                service_account=namespace.service_account_name,
            ),
            opts=pulumi.ResourceOptions(depends_on=store_access),
        )
    # Once delivery exists, its output, which resolves after the first sync.
    core_secret: pulumi.Input[str] = (
        core_delivery.secret_name if core_delivery is not None else secret_catalog.KUBERNETES_SECRET
    )

    # --- redis --------------------------------------------------------------------
    # More than one pod coordinates through Redis (OS_CLUSTER_DRIVER=redis).
    redis_endpoint = None
    server_secret: Optional[pulumi.Input[str]] = None  # what only the server pods read
    if settings.multi_pod:
        redis = RedisCache(
            "objectos-redis",
            RedisCacheArgs(
                group_id=settings.resource_prefix,
                engine=settings.redis.engine,
                engine_version=settings.redis.version,
                node_type=settings.redis.node_type,
                replicas=settings.redis.replicas_per_shard,
                snapshot_retention_days=settings.redis.snapshot_retention_days,
                vpc_id=settings.network.vpc_id,
                subnet_ids=settings.network.private_subnet_ids,
                client_security_group_id=settings.network.app_security_group_id,
                kms_key_arn=secrets.key_arn,
                auth_token=secrets.generated[secret_catalog.REDIS_AUTH_TOKEN],
                url_secret_id=secrets.secret_arns[secret_catalog.REDIS_URL],
                log_group_name=f"{secret_catalog.log_group_prefix(settings.stack)}redis/slow-log",
                log_retention_days=settings.redis.log_retention_days,
                tags=tags,
            ),
        )
        redis_endpoint = redis.primary_endpoint
        server_secret = secret_catalog.SERVER_SECRET
        if core_delivery is not None:
            # OS_REDIS_URL is written once Redis exists; only the server pods wait for it.
            server_secret = SecretDelivery(
                secret_catalog.SERVER_SECRET,
                SecretDeliveryArgs(
                    namespace=namespace.name,
                    region=settings.region,
                    target_secret=secret_catalog.SERVER_SECRET,
                    keys=server_keys,
                    store_name=core_delivery.store_name,
                ),
                opts=pulumi.ResourceOptions(depends_on=[*store_access, redis]),
            ).secret_name

    # --- release --------------------------------------------------------------------
    # The only source of the workload's image and OS_ARTIFACT_URL: they move as a pair.
    release = PinnedRelease(
        "objectos-release",
        PinnedReleaseArgs(
            release_id=settings.release.id,
            image=settings.release.image,
            artifact_url=settings.release.artifact_url,
            pinned_at=settings.release.pinned_at,
            environment=settings.environment,
            stack=settings.stack,
            database_arn=settings.database.arn,
            tags=tags,
        ),
    )
    # --- waf --------------------------------------------------------------------------
    # Per-IP limits live at the edge: the runtime's own limiter counts per pod.
    waf_scope, waf_region, waf_opts = (
        ("CLOUDFRONT", "us-east-1", pulumi.ResourceOptions(providers=[us_east_1]))
        if us_east_1 is not None
        else ("REGIONAL", settings.region, None)
    )
    waf = WafRateLimits(
        "objectos-waf",
        WafRateLimitsArgs(
            acl_name=settings.resource_prefix,
            scope=waf_scope,
            region=waf_region,
            account_id=settings.database.account_id,  # the stack's account
            auth=RateLimit(settings.rate_limits.auth.limit, settings.rate_limits.auth.window_seconds),
            write=RateLimit(settings.rate_limits.write.limit, settings.rate_limits.write.window_seconds),
            read=RateLimit(settings.rate_limits.read.limit, settings.rate_limits.read.window_seconds),
            managed_rule_groups=settings.managed_rule_groups.model_dump(),
            log_retention_days=settings.waf.log_retention_days,
            tags=tags,
        ),
        opts=waf_opts,
    )
    waf_acl_arn = waf.web_acl_arn

    # --- backups and audit logs -------------------------------------------------------
    backups = DatabaseBackups(
        "objectos-backups",
        DatabaseBackupsArgs(
            database_arn=settings.database.arn,
            name_prefix=settings.resource_prefix,
            retention_days=settings.backup.retention_days,
            continuous_retention_days=settings.backup.continuous_retention_days,
            monthly_retention_days=settings.monthly_snapshot_days,
            lock_min_retention_days=settings.backup.vault_lock.min_retention_days,
            lock_max_retention_days=settings.backup.vault_lock.max_retention_days,
            lock_changeable_for_days=settings.backup.vault_lock.changeable_for_days,
            restore_test_schedule=settings.backup.restore_test.schedule,
            validation_window_hours=settings.backup.restore_test.validation_window_hours,
            vpc_id=settings.network.vpc_id,
            private_subnet_ids=settings.network.private_subnet_ids,
            copy_to_region=settings.backup.copy_to_region,
            partition=partition,
            # ObjectOS: tag snapshots with the release, so a restore finds its image and artifact.
            recovery_point_tags={**tags, TAG_RELEASE: settings.release.id},
            tags=tags,
        ),
    )
    # One log bucket for the edge's access logs and the audit archive's server access logs.
    access_logs = AccessLogBucket(
        "objectos-access-logs",
        AccessLogBucketArgs(
            name_prefix=settings.resource_prefix,
            account_id=settings.database.account_id,
            region=settings.region,
            cloudfront=settings.edge.mode == "cloudfront",
            tags=tags,
        ),
    )
    audit_log = AuditLogRetention(
        "objectos-audit",
        AuditLogRetentionArgs(
            name_prefix=settings.resource_prefix,
            account_id=settings.database.account_id,
            region=settings.region,
            retention_days=settings.audit_log.retention_days,
            object_lock_mode=settings.audit_log.object_lock_mode,
            log_group_name=f"/objectos/{settings.stack}/workload",
            partition=partition,
            # The workload archives its audit rows: its role gets the writer policy.
            writer_role_name=secrets.workload_role_name,
            access_logs_bucket=access_logs.bucket_name,
            tags=tags,
        ),
    )

    # --- workload -------------------------------------------------------------------
    workload = ObjectOsWorkload(
        "objectos",
        WorkloadArgs(
            namespace=namespace.name,
            public_url=settings.public_url,
            cors_origins=settings.cors.origins,
            cors_credentials=settings.cors.allow_credentials,
            cors_max_age_seconds=settings.cors.max_age_seconds,
            image=release.image,
            artifact_url=release.artifact_url,
            release_id=release.release_id,
            service_account_name=namespace.service_account_name,
            secret_name=core_secret,
            secret_env={env: env for env in core_keys},
            server_secret_name=server_secret,
            server_secret_env={env: env for env in server_keys},
            # Values filled out of band: an entry still empty must not keep the pods from starting.
            optional_secret_env=[e.env for e in delivered if not e.required],
            replicas=settings.kubernetes.replicas,
            max_replicas=settings.kubernetes.autoscaler_ceiling,
            edition=settings.runtime_edition,
            cluster_driver="redis" if settings.multi_pod else None,
            cpu_request=settings.kubernetes.resources.requests.cpu,
            memory_request=settings.kubernetes.resources.requests.memory,
            cpu_limit=settings.kubernetes.resources.limits.cpu,
            memory_limit=settings.kubernetes.resources.limits.memory,
            # Migrations are forward-only: the migration Job waits for this snapshot.
            pre_migration_snapshot=release.snapshot_identifier,
        ),
    )

    # --- edge: TLS, headers, CORS -----------------------------------------------------
    # The ALB (an Ingress) always terminates TLS. In cloudfront mode CloudFront is the
    # viewer-facing edge and the ALB admits only CloudFront, and of CloudFront only the
    # requests carrying this distribution's secret header; HSTS waits for the
    # viewer-facing certificate to be validated.
    cloudfront = settings.edge.mode == "cloudfront"
    certificate = settings.edge.certificate
    alb_host = settings.origin_domain if cloudfront else settings.domain
    if certificate.kit_managed:
        alb_certificate_arn = DnsValidatedCertificate(
            "objectos-alb-tls",
            DnsValidatedCertificateArgs(domain_name=alb_host, hosted_zone_id=certificate.hosted_zone_id, tags=tags),
        ).certificate_arn
        viewer_certificate_arn = (
            DnsValidatedCertificate(
                "objectos-viewer-tls",
                DnsValidatedCertificateArgs(
                    domain_name=settings.domain, hosted_zone_id=certificate.hosted_zone_id, tags=tags
                ),
                opts=pulumi.ResourceOptions(provider=us_east_1),
            ).certificate_arn
            if cloudfront
            else alb_certificate_arn
        )
    else:
        alb_certificate_arn = certificate.arn
        viewer_certificate_arn = certificate.cloudfront_arn if cloudfront else certificate.arn

    header_policy = HeaderPolicy(
        "objectos-headers",
        HeaderPolicyArgs(
            header_set=adapters.header_set(settings),
            mode=settings.edge.mode,
            tls_ready=viewer_certificate_arn,
            policy_name=f"{settings.resource_prefix}-security-headers",
        ),
    )
    ingress = TlsIngress(
        "objectos-edge",
        TlsIngressArgs(
            namespace=workload.namespace,
            service_name=workload.service_name,
            host=alb_host,
            certificate_arn=alb_certificate_arn,
            listener_attributes=header_policy.listener_attributes,
            waf_acl_arn=None if cloudfront else waf_acl_arn,
            origin_prefix_list_name=CLOUDFRONT_ORIGIN_FACING if cloudfront else None,
            origin_header_name=ORIGIN_HEADER if cloudfront else None,
            vpc_id=settings.network.vpc_id,
            target_security_group_id=settings.network.app_security_group_id,
            hosted_zone_id=certificate.hosted_zone_id,
            access_logs_bucket=access_logs.name,
            tags=tags,
        ),
        # The controller turns access logs on only once the bucket's policy lets the ALB write.
        opts=pulumi.ResourceOptions(depends_on=[access_logs]),
    )
    edge_hostname = ingress.hostname
    if cloudfront:
        edge_hostname = CloudfrontEdge(
            "objectos-cloudfront",
            CloudfrontEdgeArgs(
                domain=settings.domain,
                origin_domain=settings.origin_domain,
                certificate_arn=viewer_certificate_arn,
                response_headers_policy_id=header_policy.response_headers_policy_id,
                hosted_zone_id=certificate.hosted_zone_id,
                web_acl_arn=waf_acl_arn,
                origin_header_name=ORIGIN_HEADER,
                origin_header_value=ingress.origin_header_value,
                access_logs_bucket_domain=access_logs.domain_name,
                tags=tags,
            ),
            # CloudFront's origin name resolves to the ALB only once the Ingress has one.
            opts=pulumi.ResourceOptions(depends_on=[ingress]),
        ).domain_name

    # --- exports --------------------------------------------------------------------
    outputs: dict[str, Any] = {
        "url": settings.public_url,
        "namespace": workload.namespace,
        "release": {
            "id": release.release_id,
            "image": release.image,
            "artifactUrl": release.artifact_url,
            "parameter": release.parameter_name,
            "preMigrationSnapshot": release.snapshot_identifier,
        },
        "backup": {
            "vaultArn": backups.vault_arn,
            "planId": backups.plan_id,
            "restoreTestingPlan": backups.restore_testing_plan_name,
            "copyVaultArn": backups.copy_vault_arn,
            "vaultLockMode": backups.vault_lock_mode,
            "rpoMinutes": backups.rpo_minutes,
            "rtoMinutes": backups.rto_minutes,
            "meetsTargets": backups.meets_targets,
        },
        "auditLog": {
            "bucket": audit_log.bucket_name,
            "prefix": audit_log.archive_prefix,
            "logGroup": audit_log.log_group_name,
            "kmsKeyArn": audit_log.kms_key_arn,
        },
        "waf_web_acl_arn": waf.web_acl_arn,
        "edge_hostname": edge_hostname,
        "edge_headers": header_policy.headers,
        "headers_not_covered_at_edge": header_policy.not_covered_at_edge,
        "secrets_to_fill": secrets.unset_secrets,
        "secrets_kms_key_arn": secrets.key_arn,
        "workload_role_arn": secrets.workload_role_arn,
        "redis_endpoint": redis_endpoint,
    }
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
