"""A standalone Redis cache cluster (aws:elasticache/cluster): no transit encryption, no AUTH."""

import pulumi
import pulumi_aws as aws

aws.elasticache.Cluster(
    "cache",
    engine="redis",
    node_type="cache.t4g.micro",
    num_cache_nodes=1,
    opts=pulumi.ResourceOptions(protect=True),
)
