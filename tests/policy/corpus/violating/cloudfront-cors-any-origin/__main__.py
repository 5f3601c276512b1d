"""A CloudFront response headers policy allowing any origin with credentials."""

import pulumi_aws as aws

aws.cloudfront.ResponseHeadersPolicy(
    "api-cors",
    name="api-cors",
    cors_config=aws.cloudfront.ResponseHeadersPolicyCorsConfigArgs(
        access_control_allow_credentials=False,
        access_control_allow_headers=aws.cloudfront.ResponseHeadersPolicyCorsConfigAccessControlAllowHeadersArgs(
            items=["*"]
        ),
        access_control_allow_methods=aws.cloudfront.ResponseHeadersPolicyCorsConfigAccessControlAllowMethodsArgs(
            items=["GET"]
        ),
        access_control_allow_origins=aws.cloudfront.ResponseHeadersPolicyCorsConfigAccessControlAllowOriginsArgs(
            items=["*"]
        ),
        origin_override=True,
    ),
)
