"""A PostgreSQL instance the program does not protect from `pulumi destroy`."""

import pulumi_aws as aws

aws.rds.Instance(
    "orders",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="orders",
    manage_master_user_password=True,
    storage_encrypted=True,
    deletion_protection=True,
)
