"""A value a policy needs but cannot know until deploy is named as not judged (prod then fails it), never
passed in silence: the WAF aggregate key, a backup selection's resources, a release's image, the topology."""

from __future__ import annotations

from policy.policies.data import database_backup_restore_tested
from policy.policies.pods import runtime_edition_topology
from policy.policies.release import release_pins_image_and_artifact
from policy.policies.waf import rate_limits_auth_write
from tests.policykit import UNKNOWN, Stack, judged

IMAGE = "ghcr.io/objectstack-ai/objectstack@sha256:" + "a" * 64
ARTIFACT = "https://artifacts.example.com/objectstack.json#sha256=" + "b" * 64
DATABASE = "arn:aws:rds:eu-west-1:123456789012:cluster:objectos"


def web_acl(aggregate) -> Stack:
    stack = Stack()
    rate = {"limit": 10, "evaluationWindowSec": 60, "aggregateKeyType": aggregate}
    stack.add(
        "aws:wafv2/webAcl:WebAcl",
        "acl",
        {
            "scope": "REGIONAL",
            "rules": [{"name": "all", "action": {"block": {}}, "statement": {"rateBasedStatement": rate}}],
        },
    )
    return stack


def test_a_rate_rule_whose_aggregate_key_is_unknown_is_not_judged():
    found, note = judged(rate_limits_auth_write, web_acl(UNKNOWN).args())
    assert not [m for m in found if "per-IP" in m or "lets" in m]
    assert "rule 'all' aggregateKeyType" in note
    # Known, the same rule limits every bucket per IP.
    found, note = judged(rate_limits_auth_write, web_acl("IP").args())
    assert not [m for m in found if "per-IP" in m or "lets" in m] and "aggregateKeyType" not in note


def backups(resources) -> Stack:
    stack = Stack()
    plan = stack.add("aws:backup/plan:Plan", "plan", {"rules": [{"ruleName": "pitr", "enableContinuousBackup": True}]})
    stack.add("aws:backup/selection:Selection", "sel", {"resources": resources}, props_from={"planId": [plan]})
    return stack


def test_backup_selection_resources_unknown_are_not_judged():
    for resources in (UNKNOWN, [UNKNOWN]):
        found, note = judged(database_backup_restore_tested, backups(resources).args())
        assert not [m for m in found if "names no RDS database" in m]
        assert "backup selection 'sel' resources" in note
    found, _ = judged(database_backup_restore_tested, backups(["arn:aws:s3:::bucket"]).args())
    assert any("names no RDS database" in m for m in found)


def runtime(image, replicas=1) -> Stack:
    stack = Stack()
    env = [{"name": "OS_ARTIFACT_URL", "value": ARTIFACT}, {"name": "OS_AUTH_URL", "value": "https://a.example.com"}]
    container = {"name": "objectos", "image": image, "env": env}
    stack.add(
        "kubernetes:apps/v1:Deployment",
        "objectos",
        {
            "spec": {
                "replicas": replicas,
                "strategy": {"type": "Recreate"},
                "template": {"spec": {"containers": [container]}},
            }
        },
    )
    return stack


def test_an_image_unknown_at_preview_is_not_judged():
    _, note = judged(release_pins_image_and_artifact, runtime(UNKNOWN).args({"requireReleaseRecord": False}))
    assert "container 'objectos' image" in note
    _, note = judged(release_pins_image_and_artifact, runtime(IMAGE).args({"requireReleaseRecord": False}))
    assert "image" not in note


def test_replicas_unknown_at_preview_are_not_judged():
    found, note = judged(runtime_edition_topology, runtime(IMAGE, replicas=UNKNOWN).args())
    assert found == [] and "replicas" in note
    found, _ = judged(runtime_edition_topology, runtime(IMAGE, replicas=3).args())
    assert any("open edition" in m for m in found)
