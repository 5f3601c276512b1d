"""A security group description AWS refuses: its API allows no apostrophe there."""

import pulumi_aws as aws

aws.ec2.SecurityGroup("web", description="the shop's web tier", vpc_id="vpc-0123456789abcdef0")
