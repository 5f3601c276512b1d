"""An encrypted EFS file system the program does not protect from deletion."""

import pulumi_aws as aws

aws.efs.FileSystem(
    "uploads", encrypted=True, kms_key_id="arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)
