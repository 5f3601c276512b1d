"""A Secrets Manager secret on a customer-managed key, protected, with a recovery window; its value from config."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
secret = aws.secretsmanager.Secret(
    "api-token",
    name="shop/api-token",
    kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    recovery_window_in_days=30,
    opts=pulumi.ResourceOptions(protect=True),
)
aws.secretsmanager.SecretVersion(
    "api-token-value", secret_id=secret.id, secret_string=config.require_secret("apiToken")
)
