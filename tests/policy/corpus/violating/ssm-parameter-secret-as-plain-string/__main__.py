"""An SSM parameter named like a secret, stored as a plain String rather than SecureString."""

import pulumi_aws as aws

aws.ssm.Parameter("db-password", name="/shop/db/password", type="String", value="plain-db-pass-1f2e")
