"""An HTTPS listener whose TLS policy is an output of a resource not created yet: unknown at
preview, so not judged, and prod (which goes live on verdicts) fails it."""

import pulumi_aws as aws

lb = aws.lb.LoadBalancer(
    "web",
    load_balancer_type="application",
    subnets=["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
    access_logs=aws.lb.LoadBalancerAccessLogsArgs(enabled=True, bucket="acme-logs", prefix="web"),
)
aws.lb.Listener(
    "https",
    load_balancer_arn=lb.arn,
    port=443,
    protocol="HTTPS",
    certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    ssl_policy=lb.dns_name.apply(lambda _: "ELBSecurityPolicy-TLS13-1-2-2021-06"),
    default_actions=[
        aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(content_type="text/plain", status_code="200"),
        )
    ],
)
