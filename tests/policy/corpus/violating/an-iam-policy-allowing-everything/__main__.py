"""A managed IAM policy that allows every action on every resource: an administrator wildcard."""

import json

import pulumi_aws as aws

aws.iam.Policy(
    "ops-admin",
    policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
)
