"""The kit's HeaderPolicy component on its own: the strict headers and CORS as a CloudFront response
headers policy for a distribution that exists elsewhere. The kit's components make this an ObjectOS
stack; the pack config (policy-config.json) says it is not one, as ObjectOS runs elsewhere."""

from objectos_components import CorsPolicy, EdgeMode, HeaderPolicy, HeaderPolicyArgs, HeaderSet

from objectos_core.headers import hsts_value

HeaderPolicy(
    "shop-headers",
    HeaderPolicyArgs(
        header_set=HeaderSet(
            cors=CorsPolicy(origins=["https://app.example.com"]),
            strict_transport_security=hsts_value(31536000, include_sub_domains=False, preload=False),
        ),
        mode=EdgeMode.CLOUDFRONT,
        # The distribution already serves this validated certificate, so HSTS is safe to send.
        tls_ready="arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
        policy_name="shop-security-headers",
    ),
)
