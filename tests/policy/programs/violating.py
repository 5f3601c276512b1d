"""User programs with one known violation each, mostly of a type token or shape the kit itself never uses."""

from __future__ import annotations

import json

from tests.policy.programs import BLOCKED, DIGEST, RESTRICTED, Expected, Program, R

ALB = "alb.ingress.kubernetes.io/"
OBJECTOS_IMAGE = "ghcr.io/objectstack-ai/objectstack" + DIGEST

PROGRAMS = (
    Program(
        "alb-listener-http-forwards",
        (
            R(
                "aws:alb/listener:Listener",
                "web-http",
                {
                    "loadBalancerArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
                    "port": 80,
                    "protocol": "HTTP",
                    "defaultActions": [
                        {
                            "type": "forward",
                            "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067",
                        }
                    ],
                },
            ),
        ),
        Expected("tls-at-edge", "web-http", "instead of redirecting to HTTPS"),
    ),
    Program(
        "alb-listener-tls10-policy",
        (
            R(
                "aws:alb/listener:Listener",
                "web-https",
                {
                    "loadBalancerArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
                    "port": 443,
                    "protocol": "HTTPS",
                    "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                    "sslPolicy": "ELBSecurityPolicy-2016-08",
                    "defaultActions": [
                        {
                            "type": "forward",
                            "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067",
                        }
                    ],
                },
            ),
        ),
        Expected("tls-at-edge", "web-https", "accepts TLS older than 1.2"),
    ),
    Program(
        "bucket-inline-object-lock-too-short",
        (
            R(
                "aws:s3/bucket:Bucket",
                "audit-archive",
                {
                    "bucket": "acme-audit-archive",
                    "objectLockConfiguration": {
                        "objectLockEnabled": "Enabled",
                        "rule": {"defaultRetention": {"mode": "COMPLIANCE", "days": 30}},
                    },
                },
                protect=True,
            ),
            R(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "audit-archive-block",
                {"bucket": "acme-audit-archive", **BLOCKED},
            ),
            R(
                "aws:s3/bucketLogging:BucketLogging",
                "audit-archive-logging",
                {"bucket": "acme-audit-archive", "targetBucket": "acme-logs", "targetPrefix": "audit/"},
                deps={"bucket": ["audit-archive"]},
            ),
        ),
        Expected("audit-log-retention", "audit-archive", "locks objects for 30 days"),
    ),
    Program(
        "serverless-cache-without-user-group",
        (
            R(
                "aws:elasticache/serverlessCache:ServerlessCache",
                "sessions",
                {
                    "engine": "valkey",
                    "name": "sessions",
                    "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                },
                protect=True,
            ),
        ),
        Expected("redis-encrypted-with-auth", "sessions", "no userGroupId"),
    ),
    Program(
        "deployment-patch-with-a-literal-token",
        (
            R(
                "kubernetes:apps/v1:DeploymentPatch",
                "api-patch",
                {
                    "metadata": {"name": "api", "namespace": "shop"},
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "api",
                                        "image": "registry.example.com/shop/api" + DIGEST,
                                        "env": [{"name": "PAYMENT_API_TOKEN", "value": "tok_live_4f9a1c"}],
                                    }
                                ]
                            }
                        }
                    },
                },
            ),
        ),
        Expected("no-baked-secrets", "api-patch", "sets PAYMENT_API_TOKEN as a literal value"),
    ),
    Program(
        "ecs-task-with-a-password-in-its-environment",
        (
            R(
                "aws:ecs/taskDefinition:TaskDefinition",
                "worker",
                {
                    "family": "worker",
                    "containerDefinitions": json.dumps(
                        [
                            {
                                "name": "worker",
                                "image": "registry.example.com/shop/worker" + DIGEST,
                                "essential": True,
                                "environment": [{"name": "DB_PASSWORD", "value": "hunter2-but-longer"}],
                            }
                        ]
                    ),
                },
            ),
        ),
        Expected("no-baked-secrets", "worker", "sets DB_PASSWORD as a literal value"),
    ),
    Program(
        "lambda-with-an-api-key-in-its-environment",
        (
            R(
                "aws:lambda/function:Function",
                "webhook",
                {
                    "role": "arn:aws:iam::123456789012:role/webhook",
                    "runtime": "python3.12",
                    "handler": "main.handler",
                    "environment": {"variables": {"STRIPE_API_KEY": "sk_live_51Habc", "LOG_LEVEL": "info"}},
                },
            ),
        ),
        Expected("no-baked-secrets", "webhook", "sets STRIPE_API_KEY as a literal value"),
    ),
    Program(
        "objectos-auth-secret-from-a-config-map",
        (
            R(
                "kubernetes:core/v1:ConfigMap",
                "objectos-config",
                {"metadata": {"name": "objectos-config"}, "data": {"auth": "x" * 48}},
            ),
            R(
                "kubernetes:apps/v1:Deployment",
                "objectos",
                {
                    "metadata": {"name": "objectos"},
                    "spec": {
                        "replicas": 1,
                        "strategy": {"type": "Recreate"},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "objectos",
                                        "image": OBJECTOS_IMAGE,
                                        "securityContext": RESTRICTED,
                                        "env": [
                                            {"name": "OS_AUTH_URL", "value": "https://app.example.com"},
                                            {"name": "OS_CORS_ORIGIN", "value": "https://app.example.com"},
                                            {"name": "OS_ARTIFACT_PATH", "value": "/app/artifact"},
                                            {
                                                "name": "OS_AUTH_SECRET",
                                                "valueFrom": {
                                                    "configMapKeyRef": {"name": "objectos-config", "key": "auth"}
                                                },
                                            },
                                        ],
                                    }
                                ]
                            }
                        },
                    },
                },
            ),
        ),
        Expected("auth-secret-in-secret-store", "objectos", "from a ConfigMap"),
    ),
    Program(
        "waf-rate-rule-in-a-rule-group-too-loose",
        (
            R(
                "aws:wafv2/ruleGroup:RuleGroup",
                "rate-rules",
                {
                    "name": "rate-rules",
                    "scope": "REGIONAL",
                    "capacity": 10,
                    "visibilityConfig": {
                        "cloudwatchMetricsEnabled": True,
                        "metricName": "rate",
                        "sampledRequestsEnabled": True,
                    },
                    "rules": [
                        {
                            "name": "per-ip",
                            "priority": 1,
                            "action": {"block": {}},
                            "statement": {
                                "rateBasedStatement": {
                                    "limit": 500,
                                    "evaluationWindowSec": 300,
                                    "aggregateKeyType": "IP",
                                }
                            },
                            "visibilityConfig": {
                                "cloudwatchMetricsEnabled": True,
                                "metricName": "per-ip",
                                "sampledRequestsEnabled": True,
                            },
                        }
                    ],
                },
            ),
            R(
                "aws:wafv2/webAcl:WebAcl",
                "api-acl",
                {
                    "scope": "REGIONAL",
                    "defaultAction": {"allow": {}},
                    "visibilityConfig": {
                        "cloudwatchMetricsEnabled": True,
                        "metricName": "api",
                        "sampledRequestsEnabled": True,
                    },
                    "rules": [
                        {
                            "name": "rate-rules",
                            "priority": 1,
                            "overrideAction": {"none": {}},
                            "statement": {
                                "ruleGroupReferenceStatement": {
                                    "arn": "arn:aws:wafv2:eu-west-1:123456789012:regional/rulegroup/rate-rules/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
                                }
                            },
                            "visibilityConfig": {
                                "cloudwatchMetricsEnabled": True,
                                "metricName": "rate-rules",
                                "sampledRequestsEnabled": True,
                            },
                        }
                    ],
                },
                deps={"rules": ["rate-rules"]},
            ),
            R("aws:cloudwatch/logGroup:LogGroup", "waf-logs", {"name": "aws-waf-logs-api", "retentionInDays": 90}),
            R(
                "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
                "api-acl-logging",
                {
                    "resourceArn": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
                    "logDestinationConfigs": ["arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-api"],
                    "redactedFields": [
                        {"singleHeader": {"name": "authorization"}},
                        {"singleHeader": {"name": "cookie"}},
                    ],
                },
                deps={"resourceArn": ["api-acl"], "logDestinationConfigs": ["waf-logs"]},
            ),
        ),
        Expected("rate-limits-auth-write", "api-acl", "through at 100/min per IP (rule 'rate-rules/per-ip')"),
        config={"rate-limits-auth-write": {"objectosStack": "yes"}},  # the API fronts ObjectOS, run elsewhere
    ),
    Program(
        "ingress-listen-ports-as-a-scalar",
        (
            R(
                "kubernetes:networking.k8s.io/v1:Ingress",
                "shop",
                {
                    "metadata": {
                        "name": "shop",
                        "annotations": {
                            ALB + "listen-ports": "443",
                            ALB
                            + "certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                            ALB + "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                            ALB + "load-balancer-attributes": "access_logs.s3.enabled=true,access_logs.s3.bucket=acme-logs",
                        },
                    },
                    "spec": {"ingressClassName": "alb", "rules": [{"host": "shop.example.com"}]},
                },
            ),
        ),
        Expected(
            "tls-at-edge",
            "shop",
            "metadata.annotations[\"alb.ingress.kubernetes.io/listen-ports\"] is the string '443'",
        ),
    ),
    Program(
        "a-privileged-daemon-set",
        (
            R(
                "kubernetes:apps/v1:DaemonSet",
                "node-agent",
                {
                    "metadata": {"name": "node-agent", "namespace": "ops"},
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "agent",
                                        "image": "registry.example.com/ops/agent" + DIGEST,
                                        "securityContext": {**RESTRICTED, "privileged": True},
                                    }
                                ]
                            }
                        }
                    },
                },
            ),
        ),
        Expected("pods-run-restricted", "node-agent", "privileged: true"),
    ),
    Program(
        "a-database-port-open-to-the-internet",
        (
            R(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "postgres-anywhere",
                {
                    "securityGroupId": "sg-0123456789abcdef0",
                    "ipProtocol": "tcp",
                    "fromPort": 5432,
                    "toPort": 5432,
                    "cidrIpv4": "0.0.0.0/0",
                },
            ),
        ),
        Expected("network-exposure-limited", "postgres-anywhere", "opens data port(s) 5432"),
    ),
    # --- access and logging policies ---
    Program(
        "an-iam-policy-allowing-everything",
        (
            R(
                "aws:iam/policy:Policy",
                "ops-admin",
                {"policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})},
            ),
        ),
        Expected("iam-no-wildcard-admin", "ops-admin", "allows every action on every resource"),
    ),
    Program(
        "a-role-with-an-inline-not-action-policy",
        (
            R(
                "aws:iam/role:Role",
                "deployer",
                {
                    "assumeRolePolicy": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                            ],
                        }
                    ),
                    "inlinePolicies": [
                        {
                            "name": "almost-all",
                            "policy": json.dumps({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}),
                        }
                    ],
                },
            ),
        ),
        Expected("iam-no-wildcard-admin", "deployer", "NotAction/NotResource"),
    ),
    Program(
        "a-bucket-without-a-public-access-block",
        (R("aws:s3/bucketV2:BucketV2", "uploads", {"bucket": "acme-uploads"}, protect=True),),
        Expected("s3-public-access-blocked", "uploads", "has no public access block"),
    ),
    Program(
        "a-bucket-policy-open-to-anyone",
        (
            R("aws:s3/bucket:Bucket", "site", {"bucket": "acme-site"}, protect=True),
            R("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-block", {"bucket": "acme-site", **BLOCKED}),
            R(
                "aws:s3/bucketPolicy:BucketPolicy",
                "site-policy",
                {
                    "bucket": "acme-site",
                    "policy": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-site/*"}
                            ],
                        }
                    ),
                },
            ),
        ),
        Expected("s3-public-access-blocked", "site-policy", "allows anyone"),
    ),
    Program(
        "a-kms-key-on-the-default-policy",
        (R("aws:kms/key:Key", "data-key", {"description": "data", "enableKeyRotation": True}, protect=True),),
        Expected("kms-key-policy-scoped", "data-key", "has no key policy"),
    ),
    Program(
        "an-alb-without-access-logs",
        (
            R(
                "aws:lb/loadBalancer:LoadBalancer",
                "web",
                {"loadBalancerType": "application", "subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]},
            ),
        ),
        Expected("access-logging-enabled", "web", "keeps no access logs"),
    ),
    Program(
        "an-objectos-namespace-with-an-allow-all-policy",
        (
            R(
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "deny-all",
                {"metadata": {"name": "deny-all", "namespace": "crm"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
            ),
            R(
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "allow-everything",
                {
                    "metadata": {"name": "allow-everything", "namespace": "crm"},
                    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]},
                },
            ),
            R(
                "kubernetes:apps/v1:Deployment",
                "objectos",
                {
                    "metadata": {"name": "objectos", "namespace": "crm"},
                    "spec": {
                        "replicas": 1,
                        "strategy": {"type": "Recreate"},
                        "template": {"spec": {"containers": [{"name": "objectos", "image": OBJECTOS_IMAGE, "securityContext": RESTRICTED}]}},
                    },
                },
            ),
        ),
        Expected("app-network-default-deny", "allow-everything", "allows all ingress traffic"),
    ),
)
