"""Tag keys the kit puts on AWS resources; the live verifier finds a stack's resources by them."""

TAG_STACK = "objectos:stack"
TAG_ENVIRONMENT = "objectos:environment"
TAG_RELEASE = "objectos:release"
# On the pre-migration snapshot: which pair ran on the schema it holds.
TAG_IMAGE_DIGEST = "objectos:image-digest"
TAG_ARTIFACT_CHECKSUM = "objectos:artifact-checksum"
