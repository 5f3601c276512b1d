"""A security group rule of type ingress allowing every protocol and port from anywhere."""

import pulumi_aws as aws

aws.ec2.SecurityGroupRule(
    "everything",
    type="ingress",
    security_group_id="sg-0123456789abcdef0",
    protocol="-1",
    from_port=0,
    to_port=0,
    cidr_blocks=["0.0.0.0/0"],
)
