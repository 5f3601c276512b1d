"""A VPC security group ingress rule (the newer aws:vpc token) opening PostgreSQL to 0.0.0.0/0."""

import pulumi_aws as aws

aws.vpc.SecurityGroupIngressRule(
    "postgres-anywhere",
    security_group_id="sg-0123456789abcdef0",
    ip_protocol="tcp",
    from_port=5432,
    to_port=5432,
    cidr_ipv4="0.0.0.0/0",
)
