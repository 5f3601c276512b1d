"""Loopback sites for the differential test against the real HTTP Observatory scanner.

Each header set is served on its own loopback address (127.77.x.y) on ports 80 and
443, so the scanner scans it by that address exactly as it scans a public host: plain
HTTP first, then HTTPS, then /robots.txt and a CORS preflight. The HTTPS certificate
comes from a test CA made here, which the scanner trusts through NODE_EXTRA_CA_CERTS.
Responses are written byte for byte, so repeated and empty headers reach the scanner
as generated.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OFF_HOST = "127.77.250.1"  # another host, for redirects that leave the scanned one
PROBE_ORIGIN = "https://http-observatory.security.mozilla.org"  # the scanner's CORS Origin
REFLECT = "<reflect>"  # an Access-Control-Allow-Origin value that echoes the request's Origin

# How http://host/ answers: path -> (status, Location), where {host} is the case's address.
HTTP_MODES: dict[str, dict[str, tuple[int, str]]] = {
    "redirect": {"/": (301, "https://{host}/")},
    "redirect-302": {"/": (302, "https://{host}/")},
    "none": {},  # 200, no redirect
    "no-http": {},  # nothing listens on port 80
    "http-then-https": {"/": (301, "http://{host}/step"), "/step": (301, "https://{host}/")},
    "off-host": {"/": (301, f"https://{OFF_HOST}/")},
    "never-https": {"/": (301, "http://{host}/plain")},
    "relative": {"/": (301, "/plain")},
    "https-hops": {"/": (301, "https://{host}/hop")},
}
# The chain of URLs the scanner's plain-HTTP request goes through, per mode.
HTTP_CHAINS: dict[str, tuple[str, ...]] = {
    "redirect": ("http://{host}/", "https://{host}/"),
    "redirect-302": ("http://{host}/", "https://{host}/"),
    "none": ("http://{host}/",),
    "no-http": (),
    "http-then-https": ("http://{host}/", "http://{host}/step", "https://{host}/"),
    "off-host": ("http://{host}/", f"https://{OFF_HOST}/"),
    "never-https": ("http://{host}/", "http://{host}/plain"),
    "relative": ("http://{host}/", "http://{host}/plain"),
    "https-hops": ("http://{host}/", "https://{host}/hop", "https://{host}/"),
}
_HTTPS_HOPS = {"/hop": (302, "https://{host}/")}
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found"}


@dataclass(frozen=True)
class Site:
    name: str  # what the case exercises, for failure messages
    headers: tuple[tuple[str, str], ...]  # served on https://host/ (GET and OPTIONS), repeats kept
    cookies: tuple[str, ...] = ()  # Set-Cookie lines on GET https://host/
    http: str = "redirect"  # a key of HTTP_MODES
    body: str = ""
    host: str = field(default="", compare=False)

    def chain(self) -> tuple[str, ...]:
        return tuple(url.format(host=self.host) for url in HTTP_CHAINS[self.http])

    def header_map(self, origin: str | None = PROBE_ORIGIN) -> dict[str, str]:
        """Name -> value with repeats joined by ", ", as Node's HTTP client hands them to the scanner."""
        out: dict[str, str] = {}
        for name, value in self.headers:
            value = origin if value == REFLECT else value.strip()
            key = name.lower()
            out[key] = f"{out[key]}, {value}" if key in out else value
        return out


def host_for(index: int) -> str:
    return f"127.77.{index // 200}.{index % 200 + 1}"


def make_certificates(folder: Path, hosts: Sequence[str]) -> tuple[Path, Path, Path]:
    """A test CA and one server certificate for every host; returns (ca, cert, key) paths."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "grader differential test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(h)) for h in hosts]), False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def _response(status: int, headers: Sequence[tuple[str, str]], body: str = "") -> bytes:
    data = body.encode()
    head = [f"HTTP/1.1 {status} {_REASONS[status]}"]
    head += [f"{name}: {value}" for name, value in headers]
    head += [f"Content-Length: {len(data)}", "Connection: close"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data


class LoopbackSites:
    """Serves every site on its own loopback address from one asyncio loop in a thread."""

    def __init__(self, sites: Sequence[Site], cert: Path, key: Path) -> None:
        self.by_host = {site.host: site for site in sites}
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(cert, key)
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.base_events.Server] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> LoopbackSites:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=60)
        return self

    def __exit__(self, *_: object) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()
            for server in self._servers:
                await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _listen(self) -> None:
        for host, site in self.by_host.items():
            if site.http != "no-http":
                self._servers.append(await asyncio.start_server(self._serve_http, host, 80, reuse_address=True))
            self._servers.append(
                await asyncio.start_server(self._serve_https, host, 443, ssl=self._tls, reuse_address=True)
            )
        self._servers.append(
            await asyncio.start_server(self._serve_https, OFF_HOST, 443, ssl=self._tls, reuse_address=True)
        )

    @staticmethod
    async def _request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        return method, target.split("?", 1)[0], fields

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, https: bool) -> None:
        try:
            method, path, fields = await self._request(reader)
            host = writer.get_extra_info("sockname")[0]
            writer.write(self._respond(self.by_host.get(host), host, https, method, path, fields))
            await writer.drain()
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def _serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._answer(reader, writer, https=False)

    async def _serve_https(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._answer(reader, writer, https=True)

    @staticmethod
    def _respond(site: Site | None, host: str, https: bool, method: str, path: str, fields: dict[str, str]) -> bytes:
        if site is None:  # the off-host target
            return _response(200, ())
        hops = _HTTPS_HOPS if https and site.http == "https-hops" else {} if https else HTTP_MODES[site.http]
        if path in hops:
            status, location = hops[path]
            return _response(status, [("Location", location.format(host=host))])
        if not https:
            return _response(200, ())
        if path == "/robots.txt":
            return _response(404, [("Content-Type", "text/plain")])
        origin = fields.get("origin", "")
        headers = [(name, origin if value == REFLECT else value) for name, value in site.headers]
        if method == "GET":
            headers += [("Set-Cookie", cookie) for cookie in site.cookies]
        return _response(200, headers, site.body if method == "GET" else "")
