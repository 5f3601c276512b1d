"""An ECS task definition whose container environment holds a database password."""

import json

import pulumi_aws as aws

aws.ecs.TaskDefinition(
    "worker",
    family="worker",
    container_definitions=json.dumps(
        [
            {
                "name": "worker",
                "image": "registry.example.com/shop/worker@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "essential": True,
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2-but-longer"}],
            }
        ]
    ),
)
