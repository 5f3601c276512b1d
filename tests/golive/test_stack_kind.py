"""The preview's line saying whether the pack judged a user's program as an ObjectOS stack: from the
pack config's `objectosStack` settings and the pack's own detection, run on the recorded graph."""

from __future__ import annotations

from golive.analyzer import PolicyInfo
from golive.stack_kind import NOT_DETECTED, stack_kind
from testing.mocks import Registration

SETTING = {"objectosStack": {"type": "string", "enum": ["detect", "yes", "no"], "default": "detect"}}
POLICIES = (
    PolicyInfo("tls-at-edge", "", "mandatory", "critical", True, config_schema=SETTING),
    PolicyInfo("audit-log-retention", "", "mandatory", "high", True, config_schema=SETTING),
    PolicyInfo("no-baked-secrets", "", "mandatory", "critical", False),  # a resource policy
)
IMAGE = "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64


def registration(type_: str, name: str, inputs: dict, urn_type: str = "") -> Registration:
    return Registration.of(type_, name, inputs, project="shop", urn_type=urn_type)


def deployment(container: dict) -> Registration:
    spec = {"template": {"spec": {"containers": [{"name": "app", **container}]}}}
    return registration("kubernetes:apps/v1:Deployment", "api", {"metadata": {"name": "api"}, "spec": spec})


BUCKET = registration("aws:s3/bucket:Bucket", "data", {"bucket": "acme-data"})


def test_a_program_without_objectos_is_not_an_objectos_stack_and_the_line_says_none_of_the_parts_apply():
    kind = stack_kind([BUCKET], {"all": "mandatory"}, POLICIES)
    assert dict(kind.judged) == {"tls-at-edge": (False, NOT_DETECTED), "audit-log-retention": (False, NOT_DETECTED)}
    assert kind.line() == (
        f"ObjectOS stack: no, {NOT_DETECTED}; the 2 ObjectOS stack policies judge what the program holds, "
        "requiring none of the kit's parts"
    )


def test_the_objectos_image_os_settings_or_a_kit_component_are_detected_and_named():
    by_image = stack_kind([BUCKET, deployment({"image": IMAGE})], {}, POLICIES)
    assert by_image.applies("tls-at-edge") and not by_image.applies("no-baked-secrets")
    assert "detected (container 'app' of 'api' runs the ObjectOS image)" in by_image.line()
    by_env = stack_kind([deployment({"image": "shop:1", "env": [{"name": "OS_PORT", "value": "8080"}]})], {}, POLICIES)
    assert "container 'app' of 'api' has OS_* settings" in by_env.line()
    component = registration(
        "aws:s3/bucket:Bucket", "archive", {}, urn_type="objectos:index:AuditLogRetention$aws:s3/bucket:Bucket"
    )
    assert (
        "part of the kit's component objectos:index:AuditLogRetention" in stack_kind([component], {}, POLICIES).line()
    )


def test_objectos_stack_set_in_the_pack_config_wins_per_policy_and_a_disabled_policy_is_left_out():
    config = {"tls-at-edge": {"objectosStack": "no"}, "audit-log-retention": {"objectosStack": "yes"}}
    kind = stack_kind([deployment({"image": IMAGE})], config, POLICIES)
    assert not kind.applies("tls-at-edge") and kind.applies("audit-log-retention")
    assert kind.line() == (
        "ObjectOS stack: set per policy: yes for audit-log-retention (set by objectosStack: yes in the pack config); "
        "no for tls-at-edge (set by objectosStack: no in the pack config); only a yes requires the kit's parts"
    )
    disabled = stack_kind([BUCKET], {"tls-at-edge": "disabled"}, POLICIES)
    assert list(disabled.judged) == ["audit-log-retention"]
    assert "the ObjectOS stack policy judges what the program holds" in disabled.line()


def test_an_unreadable_container_list_is_not_a_crash_of_the_summary():
    odd = registration("kubernetes:apps/v1:Deployment", "api", {"spec": {"template": {"spec": {"containers": "app"}}}})
    kind = stack_kind([odd], {}, POLICIES)
    assert not kind.applies("tls-at-edge") and kind.line().startswith("ObjectOS stack: no, not detected")
