"""A Secrets Manager secret deleted at once (recovery window 0): no way back from a mistake."""

import pulumi
import pulumi_aws as aws

aws.secretsmanager.Secret(
    "api-token",
    name="shop/api-token",
    kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    recovery_window_in_days=0,
    opts=pulumi.ResourceOptions(protect=True),
)
