"""User programs with no violation: none of them runs ObjectOS, so no part of the kit is required."""

from __future__ import annotations

import json

from tests.policy.programs import BLOCKED, DIGEST, RESTRICTED, Program, R

LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

PROGRAMS = (
    Program(
        "a-vpc-and-a-protected-bucket",
        (
            R("aws:ec2/vpc:Vpc", "main", {"cidrBlock": "10.0.0.0/16"}),
            R("aws:s3/bucket:Bucket", "data", {"bucket": "acme-data"}, protect=True),
            R("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-block", {"bucket": "acme-data", **BLOCKED}),
        ),
    ),
    Program(
        "alb-listeners-redirecting-to-tls13",
        (
            R(
                "aws:alb/listener:Listener",
                "http",
                {
                    "loadBalancerArn": LB,
                    "port": 80,
                    "protocol": "HTTP",
                    "defaultActions": [
                        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
                    ],
                },
            ),
            R(
                "aws:lb/listener:Listener",
                "https",
                {
                    "loadBalancerArn": LB,
                    "port": 443,
                    "protocol": "HTTPS",
                    "certificateArn": CERTIFICATE,
                    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "defaultActions": [
                        {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "200"}}
                    ],
                },
            ),
        ),
    ),
    Program(
        "a-deployment-taking-its-token-from-a-delivered-secret",
        (
            R(
                "kubernetes:external-secrets.io/v1:ExternalSecret",
                "api-env",
                {"metadata": {"name": "api-env", "namespace": "shop"}, "spec": {"target": {"name": "api-env"}}},
            ),
            R(
                "kubernetes:apps/v1:Deployment",
                "api",
                {
                    "metadata": {"name": "api", "namespace": "shop"},
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "api",
                                        "image": "registry.example.com/shop/api" + DIGEST,
                                        "securityContext": RESTRICTED,
                                        "env": [
                                            {"name": "LOG_LEVEL", "value": "info"},
                                            {
                                                "name": "PAYMENT_API_TOKEN",
                                                "valueFrom": {"secretKeyRef": {"name": "api-env", "key": "token"}},
                                            },
                                        ],
                                    }
                                ]
                            }
                        }
                    },
                },
                deps={"spec": ["api-env"]},
            ),
        ),
    ),
    Program(
        "an-encrypted-redis-with-auth",
        (
            R(
                "aws:elasticache/replicationGroup:ReplicationGroup",
                "cache",
                {
                    "description": "sessions",
                    "engine": "redis",
                    "nodeType": "cache.t4g.small",
                    "transitEncryptionEnabled": True,
                    "atRestEncryptionEnabled": True,
                    "authToken": "an-auth-token-of-sufficient-length-1234",
                    "kmsKeyId": KEY,
                },
                protect=True,
            ),
        ),
    ),
    Program(
        "a-lambda-with-plain-settings",
        (
            R(
                "aws:lambda/function:Function",
                "webhook",
                {
                    "role": "arn:aws:iam::123456789012:role/webhook",
                    "runtime": "python3.12",
                    "handler": "main.handler",
                    "environment": {"variables": {"LOG_LEVEL": "info", "REGION": "eu-west-1"}},
                },
            ),
        ),
    ),
    # --- access and logging policies ---
    Program(
        "a-scoped-key-a-scoped-role-policy-and-a-private-bucket",
        (
            R(
                "aws:kms/key:Key",
                "data-key",
                {
                    "description": "data",
                    "enableKeyRotation": True,
                    "policy": json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                 "Action": ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"], "Resource": "*"},
                                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                 "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                                 "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}},
                            ],
                        }
                    ),
                },
                protect=True,
            ),
            R(
                "aws:iam/policy:Policy",
                "reader",
                {"policy": json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::acme-reports/*"}]})},
            ),
            R("aws:s3/bucketV2:BucketV2", "reports", {"bucket": "acme-reports"}, protect=True),
            R(
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "reports-block",
                {"bucket": "acme-reports", **BLOCKED},
                deps={"bucket": ["reports"]},
            ),
        ),
    ),
    Program(
        "an-alb-logging-to-a-bucket",
        (
            R(
                "aws:lb/loadBalancer:LoadBalancer",
                "web",
                {
                    "loadBalancerType": "application",
                    "subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                    "accessLogs": {"enabled": True, "bucket": "acme-logs", "prefix": "web"},
                },
            ),
        ),
    ),
)
