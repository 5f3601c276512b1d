"""A security group with an inline ingress rule opening SSH to the internet."""

import pulumi_aws as aws

aws.ec2.SecurityGroup(
    "bastion",
    description="bastion host",
    vpc_id="vpc-0123456789abcdef0",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])],
)
