"""A role whose inline policy allows everything but IAM (NotAction on '*'): administrator in all but name."""

import json

import pulumi_aws as aws

aws.iam.Role(
    "deployer",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    inline_policies=[
        aws.iam.RoleInlinePolicyArgs(
            name="almost-all",
            policy=json.dumps({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}}),
        )
    ],
)
