"""An HTTP listener (the aws:alb token) that forwards instead of redirecting to HTTPS."""

import pulumi_aws as aws

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
