"""A web tier security group: HTTPS from anywhere, PostgreSQL only from inside the VPC."""

import pulumi_aws as aws

web = aws.ec2.SecurityGroup("web", description="web tier", vpc_id="vpc-0123456789abcdef0")
aws.vpc.SecurityGroupIngressRule(
    "https-anywhere", security_group_id=web.id, ip_protocol="tcp", from_port=443, to_port=443, cidr_ipv4="0.0.0.0/0"
)
aws.vpc.SecurityGroupIngressRule(
    "postgres-in-vpc",
    security_group_id=web.id,
    ip_protocol="tcp",
    from_port=5432,
    to_port=5432,
    cidr_ipv4="10.0.0.0/16",
)
