"""A local certificate authority and the leaf the rehearsal's edge and Redis serve.

ECDSA P-256 throughout. `make_pki` writes the CA's certificate, a leaf for the given
hosts (DNS names and IP addresses, all as subject alternative names) and the leaf's key
(mode 0600, in a folder of mode 0700). The CA's key is never written: once the leaf is
signed nobody can issue another certificate this CA vouches for.

Clients trust the CA by its file: the verifier with `--ca-file`, Python with
`ssl.create_default_context(cafile=...)`, Node (the runtime, ioredis) with
NODE_EXTRA_CA_CERTS, which Node reads once at start.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Optional, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 365
LEAF_DAYS = 90
"""Longer than the verifier's expiry warning (21 days), as an ACM certificate is."""
CA_NAME = "golive rehearsal CA"

Authority = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]
_DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)


class PkiError(ValueError):
    """A host the certificate cannot name; the message names it."""


@dataclass(frozen=True)
class Pki:
    """Paths of the CA certificate, the leaf certificate and its key, and the names the leaf covers."""

    ca_cert: Path
    cert: Path
    key: Path
    """The leaf's private key, PKCS#8 PEM, mode 0600."""
    hosts: tuple[str, ...]


def san(host: str) -> Union[x509.DNSName, x509.IPAddress]:
    """The subject alternative name for a host: an IP address, or a DNS name checked label by label."""
    if not isinstance(host, str) or not host:
        raise PkiError(f"host {host!r} is empty; give a DNS name or an IP address")
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = host.lower().rstrip(".")
    labels = name.split(".")
    if len(name) > 253 or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        raise PkiError(
            f"host {host!r} is neither an IP address nor a DNS name (letters, digits and '-' in dot-separated labels)"
        )
    return x509.DNSName(name)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def new_ca(common_name: str = CA_NAME, now: Optional[datetime] = None, days: int = CA_DAYS) -> Authority:
    """A self-signed CA that may sign leaves only (path length 0)."""
    now = now or datetime.now(UTC)
    key = new_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def issue_leaf(
    ca: Authority, hosts: Sequence[str], not_before: datetime, not_after: datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A server certificate for `hosts` (the first is also its common name), signed by `ca`."""
    if isinstance(hosts, str) or not hosts:
        raise PkiError(f"hosts must be a list of DNS names or IP addresses, got {hosts!r}")
    names = [san(host) for host in hosts]
    ca_cert, ca_key = ca
    key = new_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(str(hosts[0])))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def write_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    """The key as PKCS#8 PEM in a new file of mode 0600 (created so: never readable by others, even briefly)."""
    pem, pkcs8 = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    data = key.private_bytes(pem, pkcs8, serialization.NoEncryption())
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return path


def make_pki(directory: Path, hosts: Sequence[str], now: Optional[datetime] = None) -> Pki:
    """A fresh CA and one leaf for `hosts` in `directory` (created mode 0700 if missing)."""
    if isinstance(hosts, str) or not hosts:
        raise PkiError(f"hosts must be a list of DNS names or IP addresses, got {hosts!r}")
    hosts = tuple(hosts)
    for host in hosts:
        san(host)  # refuse a bad host before anything is written
    now = now or datetime.now(UTC)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca = new_ca(now=now)
    cert, key = issue_leaf(ca, hosts, now - timedelta(hours=1), now + timedelta(days=LEAF_DAYS))
    return Pki(
        ca_cert=write_cert(directory / "ca.pem", ca[0]),
        cert=write_cert(directory / "leaf.pem", cert),
        key=write_key(directory / "leaf.key", key),
        hosts=hosts,
    )
