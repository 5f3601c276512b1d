"""Loopback servers for the verifier's tests: a test CA, real nginx, hostile servers.

Everything binds 127.0.0.1 on free ports and is stopped by the test that started it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Optional

import pytest

from golive.rehearse import pki, process
from golive.rehearse.edge import nginx_binary, run_nginx, user_directive
from golive.verify.checks import Expectations

# What the hostile-server tests expect of a host: one header, explicit CORS, the auth rate limit.
HOSTILE_EXPECTATIONS = Expectations(
    headers={"X-Frame-Options": "DENY"},
    hsts=None,
    cors_origins=("https://app.example.com",),
    cors_credentials=True,
    auth_rate_limit=10,
    auth_window_seconds=60,
)

NGINX = nginx_binary()
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed: apt-get install nginx (the Debian package; .ci/run installs it)"
)
ALLOWED_ORIGIN = "https://app.example.com"
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; upgrade-insecure-requests"
)
HSTS_VALUE = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONSOLE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), payment=()",
    "Cross-Origin-Resource-Policy": "same-origin",
}


# --- a test CA ----------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    certs: dict[str, tuple[Path, Path]]  # kind -> (certificate, key)


def make_pki(directory: Path) -> Pki:
    """A CA the tests trust, and server certificates: good, soon (10 days left), expired,
    wrong-host (valid for another name) and untrusted (signed by a CA nobody trusts)."""
    now = datetime.now(UTC)
    ca, stranger = pki.new_ca("golive test CA", now), pki.new_ca("stranger CA", now)
    host = ["localhost", "127.0.0.1"]
    plans = {
        "good": (ca, host, now - timedelta(days=1), now + timedelta(days=90)),
        "soon": (ca, host, now - timedelta(days=80), now + timedelta(days=10, hours=1)),
        "expired": (ca, host, now - timedelta(days=90), now - timedelta(days=2)),
        "wrong_host": (ca, ["wrong.example.test"], now - timedelta(days=1), now + timedelta(days=90)),
        "untrusted": (stranger, host, now - timedelta(days=1), now + timedelta(days=90)),
    }
    directory.mkdir(parents=True, exist_ok=True)
    certs = {}
    for kind, (issuer, names, start, end) in plans.items():
        cert, key = pki.issue_leaf(issuer, names, start, end)
        certs[kind] = (pki.write_cert(directory / f"{kind}.crt", cert), pki.write_key(directory / f"{kind}.key", key))
    return Pki(ca_file=pki.write_cert(directory / "ca.pem", ca[0]), certs=certs)


# --- nginx --------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """An edge in nginx; the defaults keep every promise, each knob breaks one."""

    headers: dict[str, str] = field(default_factory=lambda: dict(SECURITY_HEADERS))
    hsts: Optional[str] = HSTS_VALUE
    cert: str = "good"
    redirect: bool = True
    hsts_over_http: bool = False
    cors: str = "explicit"  # explicit | wildcard | reflect
    rate_limit_per_minute: Optional[int] = 10
    legacy_tls: bool = False  # also accept TLS 1.0 and 1.1


@dataclass(frozen=True)
class Edge:
    https_url: str
    http_url: str


_free_ports = process.free_ports


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_config(site: Site, pki: Pki, directory: Path, http_port: int, https_port: int) -> str:
    cert, key = pki.certs[site.cert]
    user = user_directive()  # workers must read the test's own files
    headers = dict(site.headers)
    if site.hsts:
        headers["Strict-Transport-Security"] = site.hsts
    add = "\n".join(f"    add_header {name} {_quote(value)} always;" for name, value in headers.items())
    cors_origin = {
        "explicit": f'map $http_origin $cors_origin {{ default ""; {_quote(ALLOWED_ORIGIN)} $http_origin; }}',
        "reflect": "map $http_origin $cors_origin { default $http_origin; }",
        "wildcard": 'map $http_origin $cors_origin { default "*"; }',
    }[site.cors]
    limit = f"limit_req zone=auth burst={site.rate_limit_per_minute - 1} nodelay;" if site.rate_limit_per_minute else ""
    rate = site.rate_limit_per_minute or 10
    plain = f"return 301 https://$host:{https_port}$request_uri;" if site.redirect else "return 200 'plain http';"
    plain_hsts = (
        f"add_header Strict-Transport-Security {_quote(site.hsts or HSTS_VALUE)} always;" if site.hsts_over_http else ""
    )
    protocols = "TLSv1 TLSv1.1 TLSv1.2; ssl_ciphers DEFAULT:@SECLEVEL=0" if site.legacy_tls else "TLSv1.2 TLSv1.3"
    d = directory
    return f"""
{user}
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  default_type application/json;
  map $status $retry_after {{ 429 "60"; default ""; }}
  {cors_origin}
  map $cors_origin $cors_credentials {{ "" ""; "*" ""; default "true"; }}
  map $cors_origin $cors_methods {{ "" ""; default "GET, POST, PUT, PATCH, DELETE, OPTIONS"; }}
  limit_req_zone $binary_remote_addr zone=auth:1m rate={rate}r/m;
  limit_req_status 429;
  server {{
    listen 127.0.0.1:{http_port};
    {plain_hsts}
    location / {{ {plain} }}
  }}
  server {{
    listen 127.0.0.1:{https_port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols {protocols};
{add}
    add_header Access-Control-Allow-Origin $cors_origin always;
    add_header Access-Control-Allow-Credentials $cors_credentials always;
    add_header Access-Control-Allow-Methods $cors_methods always;
    add_header Retry-After $retry_after always;
    location /api/v1/auth/ {{
      {limit}
      if ($request_method = OPTIONS) {{ return 204; }}
      try_files /nonexistent @session;
    }}
    location @session {{ return 200 '{{"session":null}}'; }}
    location / {{
      if ($request_method = OPTIONS) {{ return 204; }}
      return 200 '{{"status":"ok"}}';
    }}
  }}
}}
"""


@contextmanager
def nginx(site: Site, pki: Pki, directory: Path) -> Iterator[Edge]:
    """nginx in the foreground on two free loopback ports (the rehearsal's runner); stopped on exit."""

    def conf_for(http_port: int, https_port: int) -> str:
        return nginx_config(site, pki, directory, http_port, https_port)

    with run_nginx(conf_for, directory, ports=lambda count: _free_ports(count)) as (_, http_port, https_port):
        yield Edge(https_url=f"https://localhost:{https_port}", http_url=f"http://localhost:{http_port}")


# --- hostile servers ----------------------------------------------------------

Handler = Callable[[socket.socket, threading.Event], None]


@contextmanager
def raw_server(handler: Handler) -> Iterator[str]:
    """A TCP server on loopback that hands each connection to `handler`; yields its http:// URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn:
            try:
                handler(conn, stop)
            except OSError:
                pass

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def read_request(conn: socket.socket) -> str:
    data = b""
    conn.settimeout(2)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def stall(conn: socket.socket, stop: threading.Event) -> None:
    """Accept, read the request, never answer."""
    read_request(conn)
    stop.wait(30)


def trickle(conn: socket.socket, stop: threading.Event) -> None:
    """Answer one header line at a time, forever, each well inside the read timeout."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    count = 0
    while not stop.wait(0.05):
        conn.sendall(f"X-Drip-{count}: x\r\n".encode())
        count += 1


def huge_headers(size: int) -> Handler:
    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        lines = b"".join(f"X-Filler-{i}: {'y' * 990}\r\n".encode() for i in range(size // 1000 + 1))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + lines + b"\r\nok")

    return handler


def redirect_loop(conn: socket.socket, stop: threading.Event) -> None:
    path = read_request(conn).split(" ", 2)[1]
    target = "/b" if path == "/a" else "/a"
    conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())


def endless_redirects(conn: socket.socket, stop: threading.Event) -> None:
    path = read_request(conn).split(" ", 2)[1]
    step = int(path.strip("/") or 0) + 1
    conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: /{step}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())


@contextmanager
def tls_raw_server(cert_key: tuple[Path, Path], handler: Handler) -> Iterator[str]:
    """`raw_server` behind TLS with the given certificate; yields its https://localhost URL."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, cert_key))

    def secure(conn: socket.socket, stop: threading.Event) -> None:
        try:
            with context.wrap_socket(conn, server_side=True) as wrapped:
                handler(wrapped, stop)
        except ssl.SSLError:
            pass  # the client gave up on us (a TLS probe, a refused certificate)

    with raw_server(secure) as url:
        yield url.replace("http://127.0.0.1", "https://localhost")


def echo_credentials(conn: socket.socket, stop: threading.Event) -> None:
    """Answer with a malformed status line that quotes the request's credentials back:
    the HTTP library's error message then holds them, as a buggy proxy's would."""
    request = read_request(conn)
    quoted = [line for line in request.split("\r\n") if line.lower().startswith(("authorization:", "cookie:", "x-"))]
    conn.sendall(("HTTP/1.1 " + " | ".join(quoted or ["nothing"]) + "\r\n\r\n").encode("latin-1", "replace"))


def redirect_to_https(https_url: str) -> Handler:
    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(f"HTTP/1.1 301 Moved\r\nLocation: {https_url}/\r\nContent-Length: 0\r\n\r\n".encode())

    return handler


def respond(status: str, headers: dict[str, str], body: bytes = b"") -> Handler:
    """One fixed response to every request."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(f"HTTP/1.1 {status}\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
        conn.sendall(body)

    return handler


def bomb(encodings: list[str], decoded_bytes: int) -> Handler:
    """`decoded_bytes` of zeros, compressed once per encoding: a few KB on the wire."""
    import gzip
    import zlib

    body = b"\0" * decoded_bytes
    for encoding in encodings:
        body = gzip.compress(body, 9) if encoding == "gzip" else zlib.compress(body, 9)
    return respond("200 OK", {"Content-Encoding": ", ".join(encodings)}, body)


def redirect_everything_to(target: str) -> Handler:
    """Every route answers 302 to the same path on `target`, another origin."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        words = read_request(conn).split(" ", 2)
        if len(words) < 2:
            return  # a TLS probe that sends no request
        conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {target}{words[1]}\r\nContent-Length: 0\r\n\r\n".encode())

    return handler


def slow_redirects(delay_seconds: float) -> Handler:
    """Redirect /n to /n+1 on the same origin, each answer valid and well inside the read limit,
    but only after `delay_seconds`: a chain that is never wrong, only slow."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        path = read_request(conn).split(" ", 2)[1]
        step = int(path.strip("/") or 0) + 1
        if stop.wait(delay_seconds):
            return
        conn.sendall(
            f"HTTP/1.1 302 Found\r\nLocation: /{step}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )

    return handler
