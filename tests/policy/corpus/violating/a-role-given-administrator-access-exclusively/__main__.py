"""A role whose managed policies are set exclusively (pulumi-aws 7's RolePolicyAttachmentsExclusive),
AdministratorAccess among them."""

import json

import pulumi_aws as aws

role = aws.iam.Role(
    "ci",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachmentsExclusive(
    "ci-policies",
    role_name=role.name,
    policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"],
)
