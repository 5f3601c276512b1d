"""Stack settings: every rule of the public config contract, broken and kept.

Each rule is checked on a committed stack with one change: the broken change must
produce an error that names the exact key path and says what to do, and a
nearby valid change must pass.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from settings.errors import SettingsError
from settings.load import Secure, StackConfig, from_document, validate
from tests.conftest import stack_config

ALB_CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
US_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
TAG_IMAGE = "ghcr.io/objectstack-ai/objectstack:1.4.2"
OKTA_CALLBACK = "https://app.example.com/api/v1/auth/sso/callback/okta"
REMOVE = object()


def edited(stack: str, edits: dict[str, Any]) -> StackConfig:
    """The committed stack with values replaced at dotted paths ("cors.origins", "oidc.0.callbackUrl")."""
    config = stack_config(stack)
    values = copy.deepcopy(config.values)
    for dotted, value in edits.items():
        top, *rest = dotted.split(".")
        node: Any = values
        path = [top if ":" in top else f"objectos:{top}", *rest]
        for part in path[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        last = int(path[-1]) if isinstance(node, list) else path[-1]
        if value is REMOVE:
            del node[last]
        else:
            node[last] = value
    return replace(config, values=values)


def problems(stack: str, edits: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        validate(edited(stack, edits))
    return {issue.key: issue.message for issue in caught.value.issues}


OPEN_IMAGE = "ghcr.io/objectstack-ai/objectstack@sha256:" + "a7" * 32

# (rule, stack, breaking edits, key path named, remedy in the message, valid edits)
RULES = [
    ("environment is dev, staging or prod", "prod", {"environment": "production"},
     "objectos:environment", "'dev', 'staging' or 'prod'", {"environment": "staging"}),
    ("domain has no scheme", "dev", {"domain": "https://dev.example.com"},
     "objectos:domain", "write the host name only", {"domain": "api.dev.example.com"}),
    ("domain is a lowercase host name", "dev", {"domain": "Dev.Example.com"},
     "objectos:domain", "lowercase host name such as", {"domain": "dev2.example.com"}),
    ("edge mode is cloudfront or alb", "prod", {"edge.mode": "nginx"},
     "objectos:edge.mode", "'cloudfront' or 'alb'", {"edge.mode": "alb"}),
    ("hostedZoneId or existing certificates, not both", "prod", {"edge.certificate.arn": ALB_CERT},
     "objectos:edge.certificate", "not both", {"edge.certificate": {"arn": ALB_CERT, "cloudfrontArn": US_CERT}}),
    ("hostedZoneId or existing certificates, at least one", "staging", {"edge.certificate": {}},
     "objectos:edge.certificate", "set hostedZoneId", {"edge.certificate": {"hostedZoneId": "Z0123456789ABCDEFGHIJ"}}),
    ("the ALB certificate is an ACM ARN", "staging", {"edge.certificate.arn": "arn:aws:iam::123456789012:server-certificate/x"},
     "objectos:edge.certificate.arn", "copy it from ACM", {"edge.certificate.arn": ALB_CERT}),
    ("the ALB certificate is in the stack's region", "staging", {"edge.certificate.arn": ALB_CERT.replace("eu-west-1", "us-west-2")},
     "objectos:edge.certificate.arn", "needs a certificate in eu-west-1", {"edge.certificate.arn": ALB_CERT}),
    ("cloudfront mode needs cloudfrontArn", "prod", {"edge.certificate": {"arn": ALB_CERT}},
     "objectos:edge.certificate.cloudfrontArn", "is required in cloudfront mode",
     {"edge.certificate": {"arn": ALB_CERT, "cloudfrontArn": US_CERT}}),
    ("cloudfrontArn is in us-east-1", "prod", {"edge.certificate": {"arn": ALB_CERT, "cloudfrontArn": ALB_CERT}},
     "objectos:edge.certificate.cloudfrontArn", "only uses certificates in us-east-1",
     {"edge.certificate": {"arn": ALB_CERT, "cloudfrontArn": US_CERT}}),
    ("HSTS max-age is positive", "prod", {"hsts.maxAgeSeconds": 0},
     "objectos:hsts.maxAgeSeconds", "positive number of seconds", {"hsts.maxAgeSeconds": 300}),
    ("HSTS preload needs includeSubDomains", "prod", {"hsts.preload": True, "hsts.includeSubDomains": False},
     "objectos:hsts.preload", "needs includeSubDomains: true", {"hsts.preload": True}),
    ("HSTS preload needs a year of max-age", "prod", {"hsts.preload": True, "hsts.maxAgeSeconds": 86400},
     "objectos:hsts.preload", "maxAgeSeconds >= 31536000", {"hsts.preload": True, "hsts.maxAgeSeconds": 63072000}),
    ("a CORS origin has no path", "prod", {"cors.origins": ["https://app.example.com", "https://admin.example.com/api"]},
     "objectos:cors.origins[1]", "https://host[:port] with no path",
     {"cors.origins": ["https://app.example.com", "https://admin.example.com:8443"]}),
    ("a CORS origin is https", "prod", {"cors.origins": ["http://app.example.com"]},
     "objectos:cors.origins[0]", "https://host[:port]", {"cors.origins": ["https://app.example.com"]}),
    ("a CORS origin's port is a real port", "dev", {"cors.origins": ["https://localhost:99999"]},
     "objectos:cors.origins[0]", "https://host[:port]", {"cors.origins": ["https://localhost:5173"]}),
    ("CORS '*' is never allowed with credentials", "dev", {"cors.origins": ["*"], "cors.allowCredentials": True},
     "objectos:cors.origins[0]", "list the explicit origins", {"cors.origins": ["*"], "cors.allowCredentials": False}),
    ("CORS '*' is never allowed in prod", "prod", {"cors.origins": ["*"], "cors.allowCredentials": False},
     "objectos:cors.origins[0]", "never allowed in prod", {"cors.origins": ["https://app.example.com"]}),
    ("CORS origins are not empty", "prod", {"cors.origins": []},
     "objectos:cors.origins", "list the https origins", {"cors.origins": ["https://app.example.com"]}),
    ("a rate limit is a whole number", "prod", {"rateLimits.auth.limit": 10.5},
     "objectos:rateLimits.auth.limit", "whole number", {"rateLimits.auth.limit": 20}),
    ("a rate limit is at least 10", "prod", {"rateLimits.write.limit": 5},
     "objectos:rateLimits.write.limit", "between 10 and", {"rateLimits.write.limit": 10}),
    ("a rate-limit window is 60, 120, 300 or 600 s", "prod", {"rateLimits.read.windowSeconds": 30},
     "objectos:rateLimits.read.windowSeconds", "60, 120, 300 or 600", {"rateLimits.read.windowSeconds": 300}),
    ("redis engine is valkey or redis", "prod", {"redis.engine": "memcached"},
     "objectos:redis.engine", "'valkey' or 'redis'", {"redis.engine": "redis"}),
    ("prod Redis has a replica per shard", "prod", {"redis.replicasPerShard": 0},
     "objectos:redis.replicasPerShard", "at least 1 replica per shard", {"redis.replicasPerShard": 2}),
    ("secret recovery window is at least 7 days", "prod", {"secrets.recoveryWindowDays": 6},
     "objectos:secrets.recoveryWindowDays", "between 7 and 30 days", {"secrets.recoveryWindowDays": 7}),
    ("secret recovery window is at most 30 days", "prod", {"secrets.recoveryWindowDays": 31},
     "objectos:secrets.recoveryWindowDays", "between 7 and 30 days", {"secrets.recoveryWindowDays": 30}),
    ("provider keys are environment-variable names", "prod", {"secrets.providerKeys": ["SMTP_PASSWORD", "openai-key"]},
     "objectos:secrets.providerKeys[1]", "UPPER_SNAKE_CASE", {"secrets.providerKeys": ["SMTP_PASSWORD", "OPENAI_KEY"]}),
    ("a secretValues entry is secure:", "prod", {"secretValues.OS_CLOUD_API_KEY": "cloud-key-in-clear"},
     "objectos:secretValues.OS_CLOUD_API_KEY", "pulumi config set --path --secret",
     {"secretValues.OS_CLOUD_API_KEY": Secure("cloud-key-encrypted")}),
    ("database ARN is an RDS instance or cluster", "prod", {"database.arn": "arn:aws:s3:::objectos-prod"},
     "objectos:database.arn", "arn:aws:rds:<region>:<account>:db:<name>",
     {"database.arn": "arn:aws:rds:eu-west-1:123456789012:db:objectos-prod"}),
    ("backup retention is at least 1 day", "dev", {"backup.retentionDays": 0},
     "objectos:backup.retentionDays", "greater than or equal to 1", {"backup.retentionDays": 1}),
    ("vault-lock minimum is at most the maximum", "prod",
     {"backup.vaultLock.minRetentionDays": 400, "backup.vaultLock.maxRetentionDays": 100},
     "objectos:backup.vaultLock.minRetentionDays", "lower the minimum or raise the maximum",
     {"backup.vaultLock.minRetentionDays": 35, "backup.vaultLock.maxRetentionDays": 3653}),
    ("vault-lock cooling-off is at least 3 days", "prod", {"backup.vaultLock.changeableForDays": 2},
     "objectos:backup.vaultLock.changeableForDays", "at least 3 days", {"backup.vaultLock.changeableForDays": 7}),
    ("restore-test schedule is an AWS expression", "prod", {"backup.restoreTest.schedule": "every saturday"},
     "objectos:backup.restoreTest.schedule", "cron(0 5 ? * SAT *)",
     {"backup.restoreTest.schedule": "cron(0 6 ? * SUN *)"}),
    ("restore-test cron has one '?' day field", "prod", {"backup.restoreTest.schedule": "cron(0 5 * * * *)"},
     "objectos:backup.restoreTest.schedule", "exactly one of day-of-month and day-of-week",
     {"backup.restoreTest.schedule": "cron(0 5 1 * ? *)"}),
    ("restore-test validation window is at least 1 h", "prod", {"backup.restoreTest.validationWindowHours": 0},
     "objectos:backup.restoreTest.validationWindowHours", "between 1 and 168", {"backup.restoreTest.validationWindowHours": 1}),
    ("restore-test validation window is at most 168 h", "prod", {"backup.restoreTest.validationWindowHours": 169},
     "objectos:backup.restoreTest.validationWindowHours", "between 1 and 168",
     {"backup.restoreTest.validationWindowHours": 168}),
    ("audit-log retention is a CloudWatch Logs value", "prod", {"auditLog.retentionDays": 2555},
     "objectos:auditLog.retentionDays", "nearest allowed value at or above it is 2557", {"auditLog.retentionDays": 3653}),
    ("audit-log lock mode is COMPLIANCE or GOVERNANCE", "staging", {"auditLog.objectLockMode": "LEGAL_HOLD"},
     "objectos:auditLog.objectLockMode", "'COMPLIANCE' or 'GOVERNANCE'", {"auditLog.objectLockMode": "COMPLIANCE"}),
    ("staging pins the image by digest", "staging", {"release.image": TAG_IMAGE},
     "objectos:release.image", "use <repo>@sha256:<64 hex>", {"release.image": f"ghcr.io/acme/objectos@sha256:{'ab' * 32}"}),
    ("prod pins the artifact URL by checksum", "prod", {"release.artifactUrl": "https://artifacts.example.com/objectstack.json"},
     "objectos:release.artifactUrl", "ending in #sha256=<64 hex>",
     {"release.artifactUrl": f"https://artifacts.example.com/objectstack.json#sha256={'cd' * 32}"}),
    ("prod's artifact URL is https", "prod", {"release.artifactUrl": f"file:///srv/objectstack.json#sha256={'cd' * 32}"},
     "objectos:release.artifactUrl", "use an https URL", {"release.artifactUrl": f"https://a.example.com/o.json#sha256={'cd' * 32}"}),
    ("an OIDC callback is on the domain", "prod", {"oidc.0.callbackUrl": "https://login.example.com/api/v1/auth/sso/callback/okta"},
     "objectos:oidc[0].callbackUrl", f"must be {OKTA_CALLBACK}", {"oidc.0.callbackUrl": OKTA_CALLBACK}),
    ("an OIDC callback is https", "prod", {"oidc.0.callbackUrl": OKTA_CALLBACK.replace("https", "http")},
     "objectos:oidc[0].callbackUrl", f"must be {OKTA_CALLBACK}", {"oidc.0.callbackUrl": OKTA_CALLBACK}),
    ("an OIDC callback has the provider's path", "prod", {"oidc.0.callbackUrl": "https://app.example.com/api/v1/auth/callback/okta"},
     "objectos:oidc[0].callbackUrl", f"must be {OKTA_CALLBACK}",
     {"oidc.0.providerId": "auth0", "oidc.0.callbackUrl": OKTA_CALLBACK.replace("okta", "auth0")}),
    ("replicas is at least 1", "dev", {"kubernetes.replicas": 0},
     "objectos:kubernetes.replicas", "at least 1", {"kubernetes.replicas": 1}),
    ("prod on the licensed edition runs at least 2 replicas", "prod", {"kubernetes.replicas": 1},
     "objectos:kubernetes.replicas", "needs at least 2 replicas", {"kubernetes.replicas": 2}),
    # The open runtime refuses a multi-node boot: multi-node is licensed.
    ("prod on the open edition runs one pod", "prod", {"release.image": OPEN_IMAGE, "edition": REMOVE},
     "objectos:kubernetes.replicas", "set replicas: 1 and maxReplicas: 1, or run a licensed image",
     {"release.image": OPEN_IMAGE, "edition": REMOVE, "kubernetes.replicas": 1, "kubernetes.maxReplicas": 1}),
    ("the open edition's autoscaler stops at one pod", "dev", {"kubernetes.maxReplicas": 2},
     "objectos:kubernetes.maxReplicas", "set maxReplicas: 1", {"kubernetes.maxReplicas": 1}),
    ("the open edition's default ceiling is refused too", "dev", {"kubernetes.maxReplicas": REMOVE},
     "objectos:kubernetes.maxReplicas", "defaults to 3 (3 x replicas)", {"kubernetes.maxReplicas": 1}),
    ("an image the kit cannot recognise states its edition", "prod", {"edition": REMOVE},
     "objectos:edition", "set edition: licensed", {"edition": "licensed"}),
    ("the open image is never the licensed edition", "dev", {"edition": "licensed"},
     "objectos:edition", "Pin the licensed image in release.image", {"edition": "open"}),
    ("the edition is open or licensed", "prod", {"edition": "enterprise"},
     "objectos:edition", "'open' or 'licensed'", {"edition": "licensed"}),
    ("the Kubernetes version has manifest schemas", "prod", {"kubernetes.version": "1.20"},
     "objectos:kubernetes.version", "between 1.25 and 1.37", {"kubernetes.version": "1.33"}),
    ("the Kubernetes version is a minor version", "prod", {"kubernetes.version": "latest"},
     "objectos:kubernetes.version", 'quoted, e.g. "1.31"', {"kubernetes.version": "1.25"}),
    ("aws:region is a region", "prod", {"aws:region": "europe"},
     "aws:region", "AWS region such as eu-west-1", {"aws:region": "eu-west-1"}),
    ("the artifact URL carries no user or password", "prod",
     {"release.artifactUrl": "https://deploy:S3cret@artifacts.example.com/o.json#sha256=" + "c" * 64},
     "objectos:release.artifactUrl", "without credentials in the URL",
     {"release.artifactUrl": "https://artifacts.example.com/o.json#sha256=" + "c" * 64}),
    ("the database is in the stack's region", "prod",
     {"database.arn": "arn:aws:rds:us-west-2:123456789012:cluster:objectos-prod"},
     "objectos:database.arn", "point at the database in that region",
     {"database.arn": "arn:aws:rds:eu-west-1:123456789012:cluster:objectos-other"}),
    ("originDomain differs from domain", "prod", {"edge.originDomain": "app.example.com"},
     "objectos:edge.originDomain", "must differ from domain", {"edge.originDomain": "alb.app.example.com"}),
    ("originDomain is in the certificate's zone", "prod", {"edge.originDomain": "origin.other.org"},
     "objectos:edge.originDomain", "same hosted zone", {"edge.originDomain": "edge-origin.example.com"}),
    ("tag keys are not aws: reserved", "prod", {"tags": {"aws:owner": "me"}},
     "objectos:tags.aws:owner", "reserved by AWS", {"tags": {"owner": "platform team"}}),
    ("tag values have no comma", "prod", {"tags": {"team": "a,b"}},
     "objectos:tags.team", "no commas", {"tags": {"team": "a-b"}}),
    ("redis is a supported version", "prod", {"redis.engine": "redis", "redis.engineVersion": "5.0.6"},
     "objectos:redis.engineVersion", "redis 6 or later", {"redis.engine": "redis", "redis.engineVersion": "7.1"}),
]  # fmt: skip


@pytest.mark.parametrize(("stack", "bad", "key", "remedy"), [r[1:5] for r in RULES], ids=[r[0] for r in RULES])
def test_a_broken_rule_names_its_key_and_the_fix(stack, bad, key, remedy):
    found = problems(stack, bad)
    assert key in found, f"no error at {key}; got {found}"
    assert remedy in found[key]


@pytest.mark.parametrize(("stack", "good"), [(r[1], r[5]) for r in RULES], ids=[r[0] for r in RULES])
def test_a_kept_rule_validates(stack, good):
    validate(edited(stack, good))


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_each_committed_stack_validates(stack):
    assert validate(stack_config(stack)).environment == stack


def test_a_stack_name_that_cannot_name_aws_resources_is_refused():
    with pytest.raises(SettingsError) as caught:
        validate(replace(stack_config("prod"), stack="prod_eu"))
    assert [issue.key for issue in caught.value.issues] == ["stack name"]
    assert "letters, digits and '-'" in caught.value.issues[0].message


def test_all_problems_are_reported_at_once():
    found = problems(
        "prod",
        {"domain": "https://app.example.com", "hsts.maxAgeSeconds": -1, "redis.engine": "memcached", "colour": "blue"},
    )
    assert {"objectos:domain", "objectos:hsts.maxAgeSeconds", "objectos:redis.engine", "objectos:colour"} <= set(found)


def test_the_error_text_lists_every_problem_with_its_key_and_source():
    with pytest.raises(SettingsError) as caught:
        validate(edited("prod", {"environment": "live", "kubernetes.replicas": 0}))
    text = str(caught.value)
    assert text.startswith(f"{stack_config('prod').source} has 2 problems:")
    assert "  - objectos:environment: must be" in text
    assert "  - objectos:kubernetes.replicas: must be at least 1" in text


def test_an_unknown_top_level_key_suggests_the_nearest_known_key():
    assert "did you mean 'objectos:rateLimits'?" in problems("prod", {"rateLimit": {}})["objectos:rateLimit"]


def test_an_unknown_nested_key_suggests_the_nearest_known_key():
    found = problems("prod", {"cors.allowCredential": True})
    assert "did you mean 'allowCredentials'?" in found["objectos:cors.allowCredential"]


def test_an_unknown_key_in_a_list_item_suggests_the_nearest_known_key():
    found = problems("prod", {"oidc.0.clientID": "abc"})
    assert "did you mean 'clientId'?" in found["objectos:oidc[0].clientID"]


def test_objectos_region_points_at_aws_region():
    assert "did you mean 'aws:region'?" in problems("prod", {"objectos:region": "eu-west-1"})["objectos:region"]


def test_a_key_without_namespace_is_refused_with_the_namespaced_name():
    document = {"config": {"aws:region": "eu-west-1", "domain": "dev.example.com"}}
    with pytest.raises(SettingsError) as caught:
        validate(from_document(document, "dev"))
    assert "write it as objectos:domain" in {i.key: i.message for i in caught.value.issues}["domain"]


def test_a_misspelled_namespace_is_refused():
    assert "did you mean 'objectos:tags'?" in problems("prod", {"objectso:tags": {}})["objectso:tags"]


def test_other_namespaces_are_left_to_their_providers():
    validate(edited("prod", {"kubernetes:context": "prod-cluster", "aws:profile": "prod"}))


def test_a_missing_required_key_says_it_is_required():
    assert "is required" in problems("prod", {"database": REMOVE})["objectos:database"]


def test_a_plain_secret_value_is_one_error_not_two():
    found = problems("prod", {"secretValues.OS_CLOUD_API_KEY": 12345})
    assert [k for k in found if k.startswith("objectos:secretValues")] == ["objectos:secretValues.OS_CLOUD_API_KEY"]


def test_secret_values_keep_their_value_secret():
    settings = validate(edited("prod", {"secretValues.OS_CLOUD_API_KEY": Secure("cloud-key-encrypted")}))
    assert "cloud-key-encrypted" not in repr(settings)
    assert settings.secret_values["OS_CLOUD_API_KEY"].get_secret_value() == "cloud-key-encrypted"


def test_a_secure_value_in_the_stack_file_loads_as_secure():
    config = from_document({"config": {"objectos:secretValues": {"OS_X": {"secure": "v1:abc"}}}}, "prod")
    assert isinstance(config.values["objectos:secretValues"]["OS_X"], Secure)
    assert config.secret_keys() == ["objectos:secretValues"]
