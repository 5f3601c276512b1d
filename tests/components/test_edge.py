"""The edge under Pulumi's mocks: TLS, the origin lock, the header policy in both modes, HSTS after TLS, CORS.

Checklist: tls-at-edge, security-headers-present, hsts-after-tls, cors-explicit-origins.
prod is the cloudfront edge with kit-managed certificates, dev the ALB edge with
kit-managed certificates, staging the ALB edge with an existing certificate.
"""

from __future__ import annotations

import json

import pytest

from components.certificates import DnsValidatedCertificate, DnsValidatedCertificateArgs
from components.cloudfront_edge import ALL_VIEWER_EXCEPT_HOST_HEADER, CACHING_DISABLED, CloudfrontEdgeArgs
from components.header_policy import HeaderPolicy, HeaderPolicyArgs
from components.tls_ingress import ORIGIN_HEADER, TlsIngress, TlsIngressArgs, conditions_annotation
from objectos_core.headers import ALB_UNSUPPORTED
from program.adapters import header_set
from testing.mocks import Registration, Secret
from tests.conftest import by_type, one, run_components, stack_settings

POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
ALB = "alb.ingress.kubernetes.io/"
CONDITIONS = ALB + "conditions."
LISTENER_ATTRIBUTES = ALB + "listener-attributes.HTTPS-443"
HSTS_ATTRIBUTE = "routing.http.response.strict_transport_security.header_value"


@pytest.fixture(scope="module")
def prod(previews):
    return previews("prod")


@pytest.fixture(scope="module")
def dev(previews):
    return previews("dev")


@pytest.fixture(scope="module")
def staging(previews):
    return previews("staging")


def annotations(preview) -> dict[str, str]:
    return one(preview.result, INGRESS).inputs["metadata"]["annotations"]


def listener_attributes(preview) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in annotations(preview)[LISTENER_ATTRIBUTES].split(","))


def us_east_1(preview) -> str:
    """The reference (URN::id) of the AWS provider configured for us-east-1."""
    (provider,) = [r for r in by_type(preview.result, "pulumi:providers:aws") if r.inputs.get("region") == "us-east-1"]
    return f"{provider.urn}::"


def validation_urns(preview, provider: str = "") -> set[str]:
    return {r.urn for r in by_type(preview.result, VALIDATION) if r.provider.startswith(provider)}


def depends_on(registration: Registration, prop: str, urns: set[str]) -> bool:
    return bool(set(registration.property_dependencies.get(prop, [])) & urns)


# --- cloudfront mode: the response headers policy -----------------------------------


def test_every_header_reaches_the_cloudfront_policy_with_override_on(prod):
    expected = header_set(prod.settings).as_map()
    config = one(prod.result, POLICY).inputs
    security = config["securityHeadersConfig"]
    custom = {item["header"]: item for item in config["customHeadersConfig"]["items"]}
    assert security["contentSecurityPolicy"]["contentSecurityPolicy"] == expected["Content-Security-Policy"]
    assert security["frameOptions"]["frameOption"] == expected["X-Frame-Options"]
    assert security["referrerPolicy"]["referrerPolicy"] == expected["Referrer-Policy"]
    assert custom["Permissions-Policy"]["value"] == expected["Permissions-Policy"]
    assert custom["Cross-Origin-Resource-Policy"]["value"] == expected["Cross-Origin-Resource-Policy"]
    overrides = [security[key]["override"] for key in security] + [item["override"] for item in custom.values()]
    assert len(overrides) == 7 and all(overrides)


def test_cloudfront_hsts_carries_the_configured_max_age_and_subdomains(prod):
    hsts = one(prod.result, POLICY).inputs["securityHeadersConfig"]["strictTransportSecurity"]
    assert hsts["accessControlMaxAgeSec"] == prod.settings.hsts.max_age_seconds
    assert hsts["includeSubdomains"] is prod.settings.hsts.include_sub_domains
    assert hsts["preload"] is prod.settings.hsts.preload


def test_cloudfront_cors_allows_exactly_the_configured_origins_with_override(prod):
    cors = one(prod.result, POLICY).inputs["corsConfig"]
    assert cors["accessControlAllowOrigins"]["items"] == prod.settings.cors.origins
    assert cors["accessControlAllowCredentials"] is prod.settings.cors.allow_credentials
    assert cors["originOverride"] is True


def test_edge_cors_origins_equal_the_workloads_os_cors_origin(prod):
    env = {
        item["name"]: item.get("value")
        for item in one(prod.result, DEPLOYMENT).inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    edge_origins = one(prod.result, POLICY).inputs["corsConfig"]["accessControlAllowOrigins"]["items"]
    assert edge_origins == env["OS_CORS_ORIGIN"].split(",")
    assert edge_origins == env["OS_TRUSTED_ORIGINS"].split(",")


def test_every_route_gets_the_policy(prod):
    distribution = one(prod.result, DISTRIBUTION)
    policy = one(prod.result, POLICY)
    assert distribution.inputs["defaultCacheBehavior"]["responseHeadersPolicyId"] == f"{policy.name}-id"
    assert "orderedCacheBehaviors" not in distribution.inputs


def test_cloudfront_mode_reports_nothing_uncovered_and_exports_the_full_map(prod):
    assert prod.result.outputs["headers_not_covered_at_edge"] == []
    assert prod.result.outputs["edge_headers"] == header_set(prod.settings).as_map()


# --- cloudfront mode: TLS, origin and caching ----------------------------------------


def test_cloudfront_certificate_is_requested_in_us_east_1(prod):
    (viewer,) = [r for r in by_type(prod.result, CERTIFICATE) if r.inputs["domainName"] == prod.settings.domain]
    assert viewer.provider.startswith(us_east_1(prod))


def test_distribution_serves_the_validated_us_east_1_certificate(prod):
    distribution = one(prod.result, DISTRIBUTION)
    assert depends_on(distribution, "viewerCertificate", validation_urns(prod, us_east_1(prod)))
    assert distribution.inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"


def test_viewers_are_redirected_to_https_and_the_origin_is_https_only(prod):
    distribution = one(prod.result, DISTRIBUTION).inputs
    (origin,) = distribution["origins"]
    assert distribution["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert origin["domainName"] == prod.settings.origin_domain
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]


def test_the_api_is_not_cached_and_viewers_headers_reach_the_runtime(prod):
    behavior = one(prod.result, DISTRIBUTION).inputs["defaultCacheBehavior"]
    assert behavior["cachePolicyId"] == CACHING_DISABLED
    assert behavior["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER


def test_the_alb_admits_https_only_from_cloudfront(prod):
    (rule,) = by_type(prod.result, SG_INGRESS_RULE)
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (443, 443)
    assert rule.inputs["prefixListId"].startswith("pl-")
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs
    assert annotations(prod)[ALB + "security-groups"] == rule.inputs["securityGroupId"]
    assert annotations(prod)[ALB + "manage-backend-security-group-rules"] == "true"


def test_the_alb_certificate_covers_the_origin_name_cloudfront_calls(prod):
    assert prod.settings.origin_domain in {r.inputs["domainName"] for r in by_type(prod.result, CERTIFICATE)}
    assert one(prod.result, INGRESS).inputs["spec"]["rules"][0]["host"] == prod.settings.origin_domain


def test_the_web_acl_guards_the_distribution_not_the_alb(prod):
    assert one(prod.result, DISTRIBUTION).inputs["webAclId"] == prod.result.outputs["waf_web_acl_arn"]
    assert ALB + "wafv2-acl-arn" not in annotations(prod)


# --- cloudfront mode: only this distribution reaches the ALB ---------------------------


def origin_header(preview) -> dict:
    (origin,) = one(preview.result, DISTRIBUTION).inputs["origins"]
    (header,) = origin["customHeaders"]
    return header


def backend_service(preview) -> str:
    return one(preview.result, INGRESS).inputs["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"]


def origin_secret(preview) -> Registration:
    edge = one(preview.result, "objectos:index:TlsIngress")
    (secret,) = [r for r in by_type(preview.result, RANDOM_PASSWORD) if r.parent == edge.urn]
    return secret


def test_cloudfront_adds_the_origin_header_as_a_secret(prod):
    header = origin_header(prod)
    assert header["name"] == ORIGIN_HEADER
    assert isinstance(header["value"], Secret) and header["value"].value


def test_the_alb_forwards_only_requests_carrying_the_value_cloudfront_sends(prod):
    condition = annotations(prod)[CONDITIONS + backend_service(prod)]
    assert isinstance(condition, Secret)
    assert json.loads(condition.value) == [
        {
            "field": "http-header",
            "httpHeaderConfig": {"httpHeaderName": ORIGIN_HEADER, "values": [origin_header(prod)["value"].value]},
        }
    ]


def test_the_origin_secret_is_generated_once_for_both_ends(prod):
    secret = origin_secret(prod)
    assert secret.urn in one(prod.result, DISTRIBUTION).property_dependencies["origins"]
    assert secret.urn in one(prod.result, INGRESS).property_dependencies["metadata"]
    # Letters and digits only: ALB header conditions treat '*' and '?' as wildcards.
    assert (secret.inputs["length"], secret.inputs["special"]) == (64, False)


def test_the_origin_secret_stays_out_of_the_json_plan(prod):
    value = origin_header(prod)["value"].value
    plan = prod.plan.to_json()
    assert value not in json.dumps(plan)
    entries = {r["type"]: r["inputs"] for r in plan["resources"]}
    assert entries[DISTRIBUTION]["origins"][0]["customHeaders"][0]["value"] == "[secret]"
    assert entries[INGRESS]["metadata"]["annotations"][CONDITIONS + backend_service(prod)] == "[secret]"


def test_alb_mode_routes_every_request_and_generates_no_origin_secret(dev):
    assert not [key for key in annotations(dev) if key.startswith(CONDITIONS)]
    assert not [r for r in by_type(dev.result, RANDOM_PASSWORD) if "objectos-edge" in r.name]


@pytest.mark.parametrize("name", ["Host", "X-Amz-Origin", "X Origin", "Via"])
def test_an_origin_header_cloudfront_would_refuse_is_rejected(name):
    with pytest.raises(ValueError, match="origin_header_name"):
        TlsIngressArgs(namespace="objectos", service_name="objectos", host="o.example.com", certificate_arn="arn",
                       origin_header_name=name)  # fmt: skip


def test_a_service_name_too_long_for_the_conditions_annotation_is_refused():
    assert conditions_annotation("s" * 52) == CONDITIONS + "s" * 52
    with pytest.raises(ValueError, match="at most 52 characters"):
        conditions_annotation("s" * 53)


def test_the_distribution_takes_the_origin_header_name_and_value_together():
    with pytest.raises(ValueError, match="go together"):
        CloudfrontEdgeArgs(domain="app.example.com", origin_domain="origin.app.example.com", certificate_arn="arn",
                           response_headers_policy_id="rhp", origin_header_name=ORIGIN_HEADER)  # fmt: skip


def test_the_domain_points_at_cloudfront(prod):
    aliases = [r for r in by_type(prod.result, RECORD) if r.inputs["name"] == prod.settings.domain]
    assert sorted(r.inputs["type"] for r in aliases) == ["A", "AAAA"]
    assert all(r.inputs["aliases"][0]["name"].endswith(".cloudfront.net") for r in aliases)


# --- HSTS after TLS -----------------------------------------------------------------


def test_cloudfront_hsts_depends_on_the_viewer_certificate_validation(prod):
    policy = one(prod.result, POLICY)
    assert depends_on(policy, "securityHeadersConfig", validation_urns(prod, us_east_1(prod)))


def test_alb_hsts_depends_on_the_certificate_validation():
    settings = stack_settings("dev")

    def body():
        tls = DnsValidatedCertificate(
            "tls", DnsValidatedCertificateArgs(domain_name=settings.domain, hosted_zone_id="Z0TEST12345")
        )
        policy = HeaderPolicy(
            "headers", HeaderPolicyArgs(header_set=header_set(settings), mode="alb", tls_ready=tls.certificate_arn)
        )
        # A given certificate ARN: only the HSTS attribute can tie the Ingress to the validation.
        TlsIngress(
            "edge",
            TlsIngressArgs(
                namespace="objectos",
                service_name="objectos",
                host=settings.domain,
                certificate_arn="arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                listener_attributes=policy.listener_attributes,
            ),
        )

    result = run_components(body)
    ingress = one(result, INGRESS)
    assert HSTS_ATTRIBUTE in ingress.inputs["metadata"]["annotations"][LISTENER_ATTRIBUTES]
    assert depends_on(ingress, "metadata", {one(result, VALIDATION).urn})


def test_alb_uses_the_given_certificate_when_one_is_configured(staging):
    assert annotations(staging)[ALB + "certificate-arn"] == staging.settings.edge.certificate.arn
    assert by_type(staging.result, CERTIFICATE) == []


def header_policy_graph(mode: str, hsts_enabled: bool):
    headers = header_set(stack_settings("prod", hsts={"enabled": hsts_enabled}))
    return run_components(
        lambda: HeaderPolicy("headers", HeaderPolicyArgs(header_set=headers, mode=mode, tls_ready="arn:tls"))
    )


def test_no_hsts_anywhere_in_cloudfront_mode_when_disabled():
    result = header_policy_graph("cloudfront", hsts_enabled=False)
    assert "strictTransportSecurity" not in one(result, POLICY).inputs["securityHeadersConfig"]
    assert "Strict-Transport-Security" not in one(result, "objectos:index:HeaderPolicy").outputs["headers"]


def test_no_hsts_anywhere_in_alb_mode_when_disabled():
    result = header_policy_graph("alb", hsts_enabled=False)
    outputs = one(result, "objectos:index:HeaderPolicy").outputs
    assert "strict_transport_security" not in outputs["listener_attributes"]
    assert "Strict-Transport-Security" not in outputs["headers"]


# --- alb mode -----------------------------------------------------------------------


def test_alb_sets_the_headers_it_can(staging):
    expected = header_set(staging.settings).as_map()
    attributes = listener_attributes(staging)
    prefix = "routing.http.response."
    assert attributes[prefix + "content_security_policy.header_value"] == expected["Content-Security-Policy"]
    assert attributes[prefix + "x_content_type_options.header_value"] == "nosniff"
    assert attributes[prefix + "x_frame_options.header_value"] == expected["X-Frame-Options"]
    assert attributes[HSTS_ATTRIBUTE] == expected["Strict-Transport-Security"]
    assert attributes[prefix + "server.enabled"] == "false"


def test_alb_cors_origin_is_the_single_configured_origin(staging):
    (origin,) = staging.settings.cors.origins
    assert listener_attributes(staging)["routing.http.response.access_control_allow_origin.header_value"] == origin


def test_alb_mode_reports_the_three_headers_it_cannot_send(staging):
    uncovered = staging.result.outputs["headers_not_covered_at_edge"]
    assert set(ALB_UNSUPPORTED) <= set(uncovered)
    assert not set(uncovered) & set(staging.result.outputs["edge_headers"])


def test_alb_mode_attaches_the_web_acl(dev):
    assert annotations(dev)[ALB + "wafv2-acl-arn"] == dev.result.outputs["waf_web_acl_arn"]


# --- the Ingress --------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["prod", "dev", "staging"])
def test_ingress_serves_tls_redirects_http_and_checks_readiness(previews, stack):
    preview = previews(stack)
    ingress = one(preview.result, INGRESS).inputs
    notes = ingress["metadata"]["annotations"]
    assert {"HTTPS": 443} in json.loads(notes[ALB + "listen-ports"])
    assert notes[ALB + "ssl-redirect"] == "443"
    assert notes[ALB + "certificate-arn"].startswith("arn:aws:acm:")
    assert notes[ALB + "ssl-policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert notes[ALB + "healthcheck-path"] == "/api/v1/ready"
    assert ingress["spec"]["ingressClassName"] == "alb"
    assert ingress["spec"]["tls"] == [{"hosts": [ingress["spec"]["rules"][0]["host"]]}]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_alb_drops_invalid_headers_and_resists_deletion(previews, stack):
    attributes = annotations(previews(stack))[ALB + "load-balancer-attributes"].split(",")
    assert "routing.http.drop_invalid_header_fields.enabled=true" in attributes
    assert "deletion_protection.enabled=true" in attributes


def test_ingress_targets_the_workload_service_by_pod_ip(prod):
    ingress = one(prod.result, INGRESS).inputs
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = one(prod.result, "kubernetes:core/v1:Service").inputs["metadata"]["name"]
    assert backend == {"name": service, "port": {"number": 80}}
    assert ingress["metadata"]["annotations"][ALB + "target-type"] == "ip"


@pytest.mark.parametrize("stack", ["prod", "dev", "staging"])
def test_edge_manifests_pass_strict_validation(previews, stack):
    preview = previews(stack)
    assert by_type(preview.result, INGRESS)
    assert [p for p in preview.manifest_problems if p.kind == "Ingress"] == []


def test_edge_hostname_is_exported(prod, dev):
    assert prod.result.outputs["edge_hostname"].endswith(".cloudfront.net")
    assert dev.result.outputs["edge_hostname"].endswith(".elb.amazonaws.com")


# --- the certificate component ------------------------------------------------------


def test_certificate_waits_for_a_validation_record_per_name():
    names = ["app.example.com", "origin.app.example.com"]
    result = run_components(
        lambda: DnsValidatedCertificate(
            "tls",
            DnsValidatedCertificateArgs(
                domain_name=names[0], subject_alternative_names=names[1:], hosted_zone_id="Z0TEST12345"
            ),
        )
    )
    records = by_type(result, RECORD)
    assert sorted(r.inputs["name"].split(".", 1)[1] for r in records) == [f"{n}." for n in sorted(names)]
    validation = one(result, VALIDATION)
    assert set(validation.property_dependencies["validationRecordFqdns"]) == {r.urn for r in records}
