"""DnsValidatedCertificate: an ACM certificate validated with Route 53 records.

Used twice in cloudfront mode: for the ALB in the stack's region and, through
an explicit us-east-1 provider passed in `opts`, for CloudFront.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from .inputs import args_of, fill_defaults, filled

VALIDATION_RECORD_TTL = 60


@dataclass
class DnsValidatedCertificateArgs:
    """Inputs of DnsValidatedCertificate."""

    domain_name: str
    """The certificate's primary name, e.g. app.example.com."""
    hosted_zone_id: str
    """Route 53 zone that holds the validation records."""
    subject_alternative_names: Optional[Sequence[str]] = ()
    """Further names on the certificate (e.g. origin.app.example.com for CloudFront's origin)."""
    tags: Optional[Mapping[str, str]] = field(default_factory=dict)
    """Tags on the certificate (the live verifier finds the stack's resources by them)."""

    def __post_init__(self) -> None:
        fill_defaults(self)


class DnsValidatedCertificate(pulumi.ComponentResource):
    """An ACM certificate, its DNS validation records and the validation that waits for ISSUED."""

    certificate_arn: pulumi.Output[str]
    """The ARN, resolved only once ACM has validated the certificate: depend on it to wait for TLS."""
    validation: aws.acm.CertificateValidation
    """The validation resource, for depends_on (HSTS must come after it)."""

    def __init__(self, name: str, args: DnsValidatedCertificateArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("objectos:index:DnsValidatedCertificate", name, None, opts)
        args = args_of(DnsValidatedCertificateArgs, args)
        names = list(dict.fromkeys([args.domain_name, *filled(args.subject_alternative_names)]))
        child = pulumi.ResourceOptions(parent=self)

        certificate = aws.acm.Certificate(
            f"{name}-cert",
            aws.acm.CertificateArgs(
                domain_name=args.domain_name,
                subject_alternative_names=names[1:] or None,
                validation_method="DNS",
                key_algorithm="RSA_2048",
                tags=dict(filled(args.tags)),
            ),
            opts=child,
        )

        records = []
        for index, domain in enumerate(names):
            option = certificate.domain_validation_options.apply(lambda options, d=domain: _option_for(options, d))
            records.append(
                aws.route53.Record(
                    f"{name}-validation-{index}",
                    aws.route53.RecordArgs(
                        zone_id=args.hosted_zone_id,
                        name=option.resource_record_name,
                        type=option.resource_record_type,
                        records=[option.resource_record_value],
                        ttl=VALIDATION_RECORD_TTL,
                        # ACM reuses the same record for every certificate of a name.
                        allow_overwrite=True,
                    ),
                    opts=child,
                )
            )

        self.validation = aws.acm.CertificateValidation(
            f"{name}-validation",
            aws.acm.CertificateValidationArgs(
                certificate_arn=certificate.arn,
                validation_record_fqdns=[record.fqdn for record in records],
            ),
            opts=child,
        )
        self.certificate_arn = self.validation.certificate_arn
        self.register_outputs({"certificate_arn": self.certificate_arn})


def _option_for(options, domain: str):
    for option in options or []:
        if option.domain_name == domain:
            return option
    raise ValueError(f"ACM returned no DNS validation option for {domain}")
