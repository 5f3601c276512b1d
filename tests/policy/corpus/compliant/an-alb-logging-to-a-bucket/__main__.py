"""An application load balancer writing its access logs to a bucket."""

import pulumi_aws as aws

aws.lb.LoadBalancer(
    "web",
    load_balancer_type="application",
    subnets=["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    access_logs=aws.lb.LoadBalancerAccessLogsArgs(enabled=True, bucket="acme-logs", prefix="web"),
)
