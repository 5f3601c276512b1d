"""An ALB Ingress whose listen-ports annotation is the scalar "443", not a JSON list: a finding on
this Ingress, not a crash of the whole stack's analysis."""

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
            ALB + "ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            ALB + "load-balancer-attributes": "access_logs.s3.enabled=true,access_logs.s3.bucket=acme-logs",
        },
    },
    spec={"ingress_class_name": "alb", "rules": [{"host": "shop.example.com"}]},
)
