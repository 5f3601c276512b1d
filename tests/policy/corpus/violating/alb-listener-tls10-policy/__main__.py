"""An HTTPS listener (aws:alb) on a TLS policy that still accepts TLS 1.0."""

import pulumi_aws as aws

aws.alb.Listener(
    "web-https",
    load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
    port=443,
    protocol="HTTPS",
    certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    ssl_policy="ELBSecurityPolicy-2016-08",
    default_actions=[
        aws.alb.ListenerDefaultActionArgs(
            type="forward",
            target_group_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067",
        )
    ],
)
