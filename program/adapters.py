"""The kit's settings as the inputs of the components and facts that never see them.

Kit-specific: each function maps `settings.model.Settings` to what a reusable
piece takes (a header set, the secret entries, the roles that may read them).
The program builds its components from these, and the live verifier derives
its expectations from the same functions, so both promise the same thing.
"""

from __future__ import annotations

from components import secret_catalog
from components.secret_catalog import SecretEntry
from objectos_core.headers import (
    DEFAULT_CORP,
    DEFAULT_CSP,
    DEFAULT_FRAME_OPTIONS,
    DEFAULT_PERMISSIONS_POLICY,
    DEFAULT_REFERRER_POLICY,
    NOSNIFF,
    CorsPolicy,
    HeaderSet,
    hsts_value,
)
from objectos_core.names import partition_of
from settings.model import Settings


def header_set(settings: Settings) -> HeaderSet:
    """The stack's header set: strict defaults, `objectos:headers` overrides, `objectos:hsts`, `objectos:cors`."""
    overrides = settings.headers
    hsts = settings.hsts
    cors = settings.cors
    return HeaderSet(
        content_security_policy=overrides.content_security_policy or DEFAULT_CSP,
        content_type_options=NOSNIFF,
        frame_options=overrides.frame_options or DEFAULT_FRAME_OPTIONS,
        referrer_policy=overrides.referrer_policy or DEFAULT_REFERRER_POLICY,
        permissions_policy=overrides.permissions_policy or DEFAULT_PERMISSIONS_POLICY,
        cross_origin_resource_policy=overrides.cross_origin_resource_policy or DEFAULT_CORP,
        strict_transport_security=(
            hsts_value(hsts.max_age_seconds, hsts.include_sub_domains, hsts.preload) if hsts.enabled else None
        ),
        cors=CorsPolicy(
            origins=tuple(cors.origins),
            allow_credentials=cors.allow_credentials,
            allowed_methods=tuple(cors.allowed_methods),
            allowed_headers=tuple(cors.allowed_headers),
            max_age_seconds=cors.max_age_seconds,
        ),
    )


def secret_entries(settings: Settings) -> list[SecretEntry]:
    """Every Secrets Manager entry of the stack (objectos/<stack>/<NAME>), in a stable order."""
    return secret_catalog.entries(
        settings.stack,
        given=settings.secret_values,
        oidc_provider_ids=[p.provider_id for p in settings.oidc],
        provider_keys=settings.secrets.provider_keys,
        redis=settings.multi_pod,
    )


def admin_roles(settings: Settings) -> list[str]:
    """Roles that read the entries besides the workload: administrators and the deployer."""
    if settings.secrets.admin_role_arns:
        return list(settings.secrets.admin_role_arns)
    return secret_catalog.default_admin_roles(partition_of(settings.database.arn), settings.database.account_id)
