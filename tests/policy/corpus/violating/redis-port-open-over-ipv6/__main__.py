"""A VPC ingress rule opening the Redis port to every IPv6 address."""

import pulumi_aws as aws

aws.vpc.SecurityGroupIngressRule(
    "redis-v6",
    security_group_id="sg-0123456789abcdef0",
    ip_protocol="tcp",
    from_port=6379,
    to_port=6379,
    cidr_ipv6="::/0",
)
