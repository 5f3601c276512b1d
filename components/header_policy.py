"""HeaderPolicy: the security headers and CORS, rendered for the stack's edge.

cloudfront: an `aws.cloudfront.ResponseHeadersPolicy` carrying every header
with override on, so every route gets the same values whatever the runtime sends.
alb: the listener attributes for the AWS Load Balancer Controller annotation;
the headers an ALB cannot add are reported in `not_covered_at_edge`.

The values that include HSTS resolve only after `tls_ready`, so HSTS cannot
reach a client before the certificate in the graph is validated.
"""

from dataclasses import dataclass
from typing import Optional

import pulumi
from pulumi_aws import cloudfront as cf

from objectos_core import headers as model
from objectos_core.headers import EdgeMode

from .inputs import args_of, fill_defaults, filled, member_of


@dataclass
class HeaderPolicyArgs:
    """Inputs of HeaderPolicy."""

    header_set: model.HeaderSet
    """The header values (objectos_core.headers.HeaderSet)."""
    mode: EdgeMode
    """cloudfront: a response headers policy; alb: listener attributes for the Ingress."""
    tls_ready: pulumi.Input[str]
    """Resolves once TLS works: the validated certificate's ARN (or the given certificate's ARN)."""
    policy_name: Optional[str] = "objectos-security-headers"
    """Name of the CloudFront policy; unique in the account, so include the stack."""

    def __post_init__(self) -> None:
        fill_defaults(self)
        self.mode = member_of(EdgeMode, self.mode, "HeaderPolicyArgs.mode")
        problem = model.cors_problem(self.header_set.cors)
        if problem:
            raise ValueError(f"HeaderPolicyArgs.header_set.cors: {problem}")
        problems = model.cloudfront_problems(self.header_set) if self.mode == EdgeMode.CLOUDFRONT else []
        if problems:
            raise ValueError(f"HeaderPolicyArgs.header_set: {'; '.join(problems)}")


class HeaderPolicy(pulumi.ComponentResource):
    """The edge's response headers: one model, rendered for CloudFront or the ALB."""

    headers: pulumi.Output[dict[str, str]]
    """The exact header map the edge sends on every response (for the live verifier)."""
    not_covered_at_edge: list[str]
    """Headers the edge cannot send (alb mode): enforced by nothing at the edge, so reported."""
    response_headers_policy_id: Optional[pulumi.Output[str]]
    """The CloudFront policy to attach to every cache behavior (cloudfront mode)."""
    listener_attributes: Optional[pulumi.Output[str]]
    """Value of `alb.ingress.kubernetes.io/listener-attributes.HTTPS-443` (alb mode)."""

    def __init__(self, name: str, args: HeaderPolicyArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:HeaderPolicy", name, None, opts)
        args = args_of(HeaderPolicyArgs, args)
        hs = args.header_set
        tls_ready = pulumi.Output.from_input(args.tls_ready)
        self.not_covered_at_edge = list(model.not_covered_at_edge(hs, args.mode))
        self.response_headers_policy_id = None
        self.listener_attributes = None

        if args.mode == EdgeMode.CLOUDFRONT:
            policy = cf.ResponseHeadersPolicy(
                f"{name}-policy",
                cf.ResponseHeadersPolicyArgs(
                    name=args.policy_name,
                    comment="ObjectOS security headers and CORS, override on (managed by Pulumi)",
                    security_headers_config=self._security_headers(hs, tls_ready),
                    custom_headers_config=cf.ResponseHeadersPolicyCustomHeadersConfigArgs(
                        items=[
                            cf.ResponseHeadersPolicyCustomHeadersConfigItemArgs(
                                header=header, value=value, override=True
                            )
                            for header, value in model.cloudfront_custom_headers(hs).items()
                        ]
                    ),
                    cors_config=self._cors(hs.cors),
                    remove_headers_config=cf.ResponseHeadersPolicyRemoveHeadersConfigArgs(
                        items=[cf.ResponseHeadersPolicyRemoveHeadersConfigItemArgs(header="X-Powered-By")]
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.response_headers_policy_id = policy.id
        else:
            rendering = model.alb_rendering(hs)
            annotation = model.string_map_annotation(rendering.attributes, "HeaderPolicyArgs.header_set")
            self.listener_attributes = tls_ready.apply(lambda _: annotation)
            pulumi.log.warn(
                f"security-headers-present: the ALB edge does not send {', '.join(rendering.not_covered)}; "
                "they are left to the runtime, which sets some of them on some routes only (see docs/edge.md). "
                "Use edge.mode cloudfront to send every header on every route.",
                resource=self,
            )

        edge_map = model.edge_header_map(hs, args.mode)
        # The map includes HSTS, so it too waits for TLS.
        self.headers = tls_ready.apply(lambda _: edge_map)
        self.register_outputs(
            {
                "headers": self.headers,
                "not_covered_at_edge": self.not_covered_at_edge,
                "response_headers_policy_id": self.response_headers_policy_id,
                "listener_attributes": self.listener_attributes,
            }
        )

    @staticmethod
    def _security_headers(
        hs: model.HeaderSet, tls_ready: pulumi.Output[str]
    ) -> cf.ResponseHeadersPolicySecurityHeadersConfigArgs:
        hsts = None
        if hs.strict_transport_security is not None:
            parts = model.hsts_parts(hs.strict_transport_security)
            hsts = cf.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                access_control_max_age_sec=tls_ready.apply(lambda _: parts.max_age_seconds),
                include_subdomains=parts.include_sub_domains,
                preload=parts.preload,
                override=True,
            )
        return cf.ResponseHeadersPolicySecurityHeadersConfigArgs(
            content_security_policy=cf.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                content_security_policy=hs.content_security_policy, override=True
            ),
            content_type_options=cf.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(override=True),
            frame_options=cf.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                frame_option=hs.frame_options, override=True
            ),
            referrer_policy=cf.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                referrer_policy=hs.referrer_policy, override=True
            ),
            strict_transport_security=hsts,
        )

    @staticmethod
    def _cors(cors: model.CorsPolicy) -> cf.ResponseHeadersPolicyCorsConfigArgs:
        return cf.ResponseHeadersPolicyCorsConfigArgs(
            access_control_allow_credentials=cors.allow_credentials,
            access_control_allow_headers=cf.ResponseHeadersPolicyCorsConfigAccessControlAllowHeadersArgs(
                items=list(filled(cors.allowed_headers))
            ),
            access_control_allow_methods=cf.ResponseHeadersPolicyCorsConfigAccessControlAllowMethodsArgs(
                items=list(filled(cors.allowed_methods))
            ),
            access_control_allow_origins=cf.ResponseHeadersPolicyCorsConfigAccessControlAllowOriginsArgs(
                items=list(cors.origins)
            ),
            access_control_max_age_sec=cors.max_age_seconds,
            origin_override=True,
        )
