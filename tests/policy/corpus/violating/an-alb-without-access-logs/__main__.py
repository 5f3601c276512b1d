"""An application load balancer that keeps no access logs."""

import pulumi_aws as aws

aws.lb.LoadBalancer(
    "web",
    load_balancer_type="application",
    subnets=["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
)
