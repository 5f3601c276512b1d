"""A Lambda function whose environment holds only plain settings."""

import pulumi
import pulumi_aws as aws

aws.lambda_.Function(
    "webhook",
    role="arn:aws:iam::123456789012:role/webhook",
    runtime="python3.12",
    handler="main.handler",
    code=pulumi.AssetArchive({"main.py": pulumi.StringAsset("def handler(event, context):\n    return 200\n")}),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"LOG_LEVEL": "info", "REGION": "eu-west-1"}),
)
