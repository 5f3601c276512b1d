"""A malformed Ingress annotation beside an HTTP listener that forwards and two harmless
resources: the malformed value is a finding on its Ingress, and the same policy still judges
the listener (two known violations)."""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

ALB = "alb.ingress.kubernetes.io/"

k8s.networking.v1.Ingress(
    "shop",
    metadata={
        "name": "shop",
        "annotations": {
            ALB + "listen-ports": "443",
            ALB
            + "certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            ALB + "load-balancer-attributes": "access_logs.s3.enabled=true,access_logs.s3.bucket=acme-logs",
        },
    },
    spec={"ingress_class_name": "alb", "rules": [{"host": "shop.example.com"}]},
)
aws.alb.Listener(
    "web-http",
    load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
    port=80,
    protocol="HTTP",
    default_actions=[
        aws.alb.ListenerDefaultActionArgs(
            type="forward",
            target_group_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067",
        )
    ],
)
aws.ec2.Vpc("main", cidr_block="10.0.0.0/16")
data = aws.s3.Bucket("data", bucket="acme-data", opts=pulumi.ResourceOptions(protect=True))
aws.s3.BucketPublicAccessBlock(
    "data-block",
    bucket=data.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
