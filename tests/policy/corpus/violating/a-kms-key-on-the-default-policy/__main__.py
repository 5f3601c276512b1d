"""A rotated, protected KMS key with no key policy: AWS gives it the default (the account root may do kms:*)."""

import pulumi
import pulumi_aws as aws

aws.kms.Key("data-key", description="data", enable_key_rotation=True, opts=pulumi.ResourceOptions(protect=True))
