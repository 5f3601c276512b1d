"""Observe the edge's TLS with the standard library: protocol, trust, host name, expiry."""

from __future__ import annotations

import socket
import ssl
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional

from golive.verify.checks import TlsObservation


def observe(host: str, port: int = 443, ca_file: Optional[Path] = None, timeout: float = 5.0) -> TlsObservation:
    """Handshake with verification on; on a rejected certificate, handshake again unverified
    only to learn the protocol, so both the certificate and the protocol get a verdict."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    legacy = _legacy_accepted(host, port, timeout)
    try:
        protocol, cert = _handshake(host, port, context, timeout)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or exc.reason or str(exc)
        return TlsObservation(
            host,
            port,
            protocol=_unverified_protocol(host, port, timeout),
            error=f"certificate rejected: {reason}",
            legacy_accepted=legacy,
        )
    except ssl.SSLError as exc:
        return TlsObservation(host, port, error=f"handshake failed: {exc.reason or exc}", legacy_accepted=legacy)
    except TimeoutError:
        return TlsObservation(host, port, error=f"no TLS handshake within {timeout:g} s")
    except OSError as exc:
        return TlsObservation(host, port, error=f"cannot connect: {exc}")
    not_after = None
    if cert and cert.get("notAfter"):
        not_after = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), UTC)
    return TlsObservation(host, port, protocol=protocol, not_after=not_after, legacy_accepted=legacy)


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> tuple[Optional[str], dict]:
    with socket.create_connection((host, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.version(), tls.getpeercert() or {}


def _unverified_protocol(host: str, port: int, timeout: float) -> Optional[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        return _handshake(host, port, context, timeout)[0]
    except (ssl.SSLError, OSError):
        return None


def _legacy_accepted(host: str, port: int, timeout: float) -> Optional[str]:
    """The pre-1.2 protocol the server agrees to, or None (refused, or this client cannot offer one)."""
    try:
        with warnings.catch_warnings():  # offering the deprecated protocols is the point of this probe
            warnings.simplefilter("ignore", DeprecationWarning)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
            context.set_ciphers("DEFAULT:@SECLEVEL=0")  # OpenSSL's default level forbids offering them at all
            return _handshake(host, port, context, timeout)[0]
    except (ssl.SSLError, OSError, ValueError):
        return None
