"""An HTTP listener (aws:alb) redirecting to an HTTPS listener (aws:lb) on a TLS 1.3 policy."""

import pulumi_aws as aws

aws.alb.Listener(
    "http",
    load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
    port=80,
    protocol="HTTP",
    default_actions=[
        aws.alb.ListenerDefaultActionArgs(
            type="redirect",
            redirect=aws.alb.ListenerDefaultActionRedirectArgs(protocol="HTTPS", port="443", status_code="HTTP_301"),
        )
    ],
)
aws.lb.Listener(
    "https",
    load_balancer_arn="arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
    port=443,
    protocol="HTTPS",
    certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    default_actions=[
        aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(content_type="text/plain", status_code="200"),
        )
    ],
)
