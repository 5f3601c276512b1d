"""The rehearsal's local CA: a leaf for DNS names and IPs that TLS clients trusting the CA accept."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509

from golive.rehearse.pki import LEAF_DAYS, PkiError, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki") / "ca", ["localhost", "127.0.0.1", "::1"])


def names(path: Path) -> tuple[list[str], list[str]]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return alt.get_values_for_type(x509.DNSName), [str(ip) for ip in alt.get_values_for_type(x509.IPAddress)]


def test_the_leaf_names_every_host_as_a_dns_name_or_an_ip(pki):
    assert names(pki.cert) == (["localhost"], ["127.0.0.1", "::1"])


def test_the_key_is_readable_by_its_owner_only_and_its_folder_too(pki):
    assert stat.S_IMODE(pki.key.stat().st_mode) == 0o600
    assert stat.S_IMODE(pki.key.parent.stat().st_mode) == 0o700


def test_the_cas_key_is_not_written(pki):
    written = sorted(p.name for p in pki.key.parent.iterdir())
    assert written == ["ca.pem", "leaf.key", "leaf.pem"]
    assert b"PRIVATE KEY" not in pki.ca_cert.read_bytes() + pki.cert.read_bytes()


def test_the_leaf_outlives_the_verifiers_expiry_warning(pki):
    cert = x509.load_pem_x509_certificate(pki.cert.read_bytes())
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    assert days >= LEAF_DAYS and LEAF_DAYS > 21
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0


def handshake(pki, server_hostname: str, connect_to: str = "127.0.0.1") -> str:
    """A TLS handshake against a loopback server serving the leaf, verified with the CA file only."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(pki.cert, pki.key)
    family = socket.AF_INET6 if ipaddress.ip_address(connect_to).version == 6 else socket.AF_INET
    with socket.socket(family) as listener:
        listener.bind((connect_to, 0))
        listener.listen(1)
        port = listener.getsockname()[1]

        def serve() -> None:
            conn, _ = listener.accept()
            try:
                with server_context.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        client = ssl.create_default_context(cafile=str(pki.ca_cert))
        try:
            with socket.create_connection((connect_to, port), timeout=5) as raw:
                with client.wrap_socket(raw, server_hostname=server_hostname) as tls:
                    return tls.version() or ""
        finally:
            thread.join(timeout=5)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_client_trusting_the_ca_accepts_the_leaf_by_name_and_by_ip(pki, host):
    assert handshake(pki, host).startswith("TLSv1.")


def test_a_client_refuses_the_leaf_for_a_name_it_does_not_carry(pki):
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        handshake(pki, "app.example.com")


@pytest.mark.parametrize(
    "hosts, words",
    [
        ([], "must be a list"),
        ("localhost", "must be a list"),
        (["localhost", "bad host"], "'bad host' is neither an IP address nor a DNS name"),
        (["-leading.example"], "'-leading.example'"),
        ([""], "is empty"),
    ],
)
def test_a_host_the_certificate_cannot_name_is_refused_before_anything_is_written(tmp_path, hosts, words):
    with pytest.raises(PkiError, match=words):
        make_pki(tmp_path / "ca", hosts)
    assert not (tmp_path / "ca").exists()
