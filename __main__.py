"""The ObjectOS stack: settings -> components -> exports.

Only this file reads configuration; every component takes typed Args.
Each section below belongs to one concern; the order follows the data flow.
"""

import pulumi
import pulumi_aws as aws

from components.namespace import AppNamespace, AppNamespaceArgs
from components.workload import ObjectOsWorkload, WorkloadArgs
from settings.engine import engine_settings
from settings.model import aws_tags

settings = engine_settings()
tags = aws_tags(settings)

# --- providers ------------------------------------------------------------------
# CloudFront's certificate and web ACL live in us-east-1 whatever the stack's region.
us_east_1 = (
    aws.Provider("us-east-1", aws.ProviderArgs(region="us-east-1", default_tags=aws.ProviderDefaultTagsArgs(tags=tags)))
    if settings.edge.mode == "cloudfront"
    else None
)

# --- namespace ------------------------------------------------------------------
namespace = AppNamespace("objectos", AppNamespaceArgs(name=settings.kubernetes.namespace))

# --- secrets ------------------------------------------------------------------
secret_name = "objectos-env"
secret_env = {name: name for name in ("OS_AUTH_SECRET", "OS_SECRET_KEY", "OS_DATABASE_URL", "OS_CLOUD_API_KEY")}
if settings.multi_pod:
    secret_env["OS_REDIS_URL"] = "OS_REDIS_URL"
service_account_annotations: dict = {}
pods_need: list[pulumi.Resource] = []  # what must exist before any pod starts

# --- redis --------------------------------------------------------------------

# --- release --------------------------------------------------------------------
image = settings.release.image
artifact_url = settings.release.artifact_url
migrate_after: list[pulumi.Resource] = []

# --- waf --------------------------------------------------------------------------
waf_acl_arn = None

# --- edge: TLS, headers, CORS -----------------------------------------------------

# --- backups and audit logs -------------------------------------------------------

# --- workload -------------------------------------------------------------------
workload = ObjectOsWorkload(
    "objectos",
    WorkloadArgs(
        namespace=namespace.name,
        public_url=settings.public_url,
        cors_origins=settings.cors.origins,
        cors_credentials=settings.cors.allow_credentials,
        cors_max_age_seconds=settings.cors.max_age_seconds,
        image=image,
        artifact_url=artifact_url,
        release_id=settings.release.id,
        secret_name=secret_name,
        secret_env=secret_env,
        replicas=settings.kubernetes.replicas,
        max_replicas=settings.kubernetes.autoscaler_ceiling,
        cluster_driver="redis" if settings.multi_pod else None,
        cpu_request=settings.kubernetes.resources.requests.cpu,
        memory_request=settings.kubernetes.resources.requests.memory,
        cpu_limit=settings.kubernetes.resources.limits.cpu,
        memory_limit=settings.kubernetes.resources.limits.memory,
        service_account_annotations=service_account_annotations,
        migrate_after=[*pods_need, *migrate_after],
    ),
)

# --- exports --------------------------------------------------------------------
pulumi.export("url", settings.public_url)
pulumi.export("namespace", workload.namespace)
pulumi.export("release", {"id": settings.release.id, "image": image, "artifactUrl": artifact_url})
