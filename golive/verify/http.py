"""HTTP for the live verifier: httpx with bounded time, redirects, header size and body size.

A hostile or broken server (redirect loop, huge headers, a response that stalls
or trickles, a bad certificate) becomes a FetchError with a reason, never an
exception or a hang.
"""

from __future__ import annotations

import ssl
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from golive.verify.checks import REDIRECT_STATUSES, Fetched, FetchError, Response, Unreached
from settings.files import shorten

USER_AGENT = "golive-verify/1"
ACCEPT_ENCODING = "gzip, deflate"  # only what `_Decoder` decodes under the body cap
MAX_ENCODINGS = 2  # stacked Content-Encodings a response may use; more is refused, not decoded
_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Refused(Exception):
    """A response the verifier will not read further; the message says why."""


class _Decoder:
    """Content-Encoding undone as the bytes arrive, never producing more than `cap` bytes.

    httpx decodes each received chunk whole before a caller can count it, so a few KB of
    `gzip, gzip` can expand to gigabytes; here every stage gets an output budget instead.
    """

    def __init__(self, header: Optional[str], cap: int) -> None:
        names = [n.strip().lower() for n in (header or "").split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > MAX_ENCODINGS:
            raise _Refused(
                f"Content-Encoding '{shorten(header)}' stacks {len(names)} encodings (at most {MAX_ENCODINGS})"
            )
        unknown = [n for n in names if n not in _ZLIB_WBITS]
        if unknown:
            raise _Refused(
                f"Content-Encoding '{shorten(unknown[0])}' was not asked for (Accept-Encoding: {ACCEPT_ENCODING})"
            )
        self._stages = [zlib.decompressobj(_ZLIB_WBITS[n]) for n in reversed(names)]
        self._names = names
        self.cap = cap
        self.body = bytearray()
        self.full = False  # the cap was reached: stop reading

    def feed(self, chunk: bytes) -> None:
        data = chunk
        try:
            for stage in self._stages:
                data = stage.decompress(data, self.cap + 1)  # max_length: never more than the cap out of one call
                if stage.unconsumed_tail:
                    self.full = True  # this stage alone would pass the cap: the rest is not wanted
        except zlib.error:
            raise _Refused(f"the body does not decode as {', '.join(self._names)}") from None
        self.body += data[: self.cap + 1 - len(self.body)]
        if len(self.body) > self.cap:
            self.full = True


@dataclass(frozen=True)
class Limits:
    connect_seconds: float = 5.0
    read_seconds: float = 10.0  # silence allowed between two reads
    total_seconds: float = 20.0  # the whole exchange, so a trickling server cannot hold us
    max_redirects: int = 5
    max_header_bytes: int = 32 * 1024
    max_body_bytes: int = 256 * 1024


def tls_context(ca_file: Optional[Path] = None) -> ssl.SSLContext:
    """Verify against the given CA bundle only, or the system trust store; TLS 1.2 at least."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _Deadline(httpcore.NetworkBackend):
    """httpcore's socket backend whose every read, write and connect stops at one deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self.deadline: Optional[float] = None

    def clamp(self, timeout: Optional[float]) -> Optional[float]:
        if self.deadline is None:
            return timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the total time limit ran out")
        return remaining if timeout is None else min(timeout, remaining)

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline - 0.01

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):  # type: ignore[override]
        stream = self._inner.connect_tcp(host, port, self.clamp(timeout), local_address, socket_options)
        return _DeadlineStream(stream, self)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # type: ignore[override]
        raise httpcore.ConnectError("unix sockets are not used by the verifier")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream, self._deadline = stream, deadline

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        try:
            return self._stream.read(max_bytes, self._deadline.clamp(timeout))
        except httpcore.ReadTimeout:
            if self._deadline.expired():
                raise httpcore.ReadTimeout("the total time limit ran out") from None
            raise

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # type: ignore[override]
        upgraded = self._stream.start_tls(ssl_context, server_hostname, self._deadline.clamp(timeout))
        return _DeadlineStream(upgraded, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _Transport(httpx.HTTPTransport):
    # httpx exposes only per-read timeouts; the total deadline needs httpcore's
    # network backend, which HTTPTransport does not take as an argument.
    def __init__(self, context: ssl.SSLContext, backend: _Deadline) -> None:
        super().__init__(verify=context, trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(ssl_context=context, retries=0, network_backend=backend)


class HttpProbe:
    """One client for a verification run. Proxies from the environment are ignored on
    purpose: the checks judge what the edge itself sends, and a proxy may add or strip headers.

    `until` (a `time.monotonic()` instant) is the run's overall deadline: every exchange
    stops there, and a request not yet sent by then is not sent (`Unreached`), so slow
    redirects or a trickling server cannot stretch the run past it.
    """

    def __init__(
        self,
        ca_file: Optional[Path] = None,
        limits: Limits = Limits(),
        context: Optional[ssl.SSLContext] = None,
        until: Optional[float] = None,
        deadline_seconds: Optional[float] = None,
    ) -> None:
        self.limits = limits
        self.until = until
        self.deadline_seconds = deadline_seconds  # what --deadline said, for the reasons
        self._deadline = _Deadline()
        timeout = httpx.Timeout(
            connect=limits.connect_seconds,
            read=limits.read_seconds,
            write=limits.read_seconds,
            pool=limits.connect_seconds,
        )
        self._client = httpx.Client(
            transport=_Transport(context or tls_context(ca_file), self._deadline),
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpProbe:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def out_of_time(self) -> bool:
        """The run's deadline has passed: start nothing more."""
        return self.until is not None and time.monotonic() >= self.until

    def remaining(self, most: float) -> float:
        """Seconds left before the run's deadline, at most `most` (for steps that are not HTTP)."""
        return most if self.until is None else max(0.0, min(most, self.until - time.monotonic()))

    @property
    def unreached_reason(self) -> str:
        shown = f" (--deadline {self.deadline_seconds:g} s)" if self.deadline_seconds is not None else ""
        return f"not judged: deadline reached{shown} before this check ran"

    def fetch(
        self,
        method: str,
        url: str,
        headers: Optional[Mapping[str, str]] = None,
        content: Optional[bytes] = None,
        follow_redirects: bool = False,
    ) -> Fetched:
        """The response to one request, or the final one of a bounded redirect chain."""
        visited = [url]
        for _ in range(self.limits.max_redirects + 1):
            result = self._once(method, visited[-1], headers, content)
            if isinstance(result, Unreached) and len(visited) > 1:  # the check had started: it failed
                return FetchError(url, f"the run's deadline ran out while following redirects: {' -> '.join(visited)}")
            if not follow_redirects or isinstance(result, FetchError) or result.status not in REDIRECT_STATUSES:
                return result
            location = result.header("location")
            if not location:
                return result
            target = urljoin(visited[-1], location)
            if _origin(target) != _origin(url):
                # What another origin sends says nothing about this one's headers or HSTS.
                return FetchError(
                    url,
                    f"redirects to {shorten(target, 200)}, off the origin {_show_origin(url)} (via "
                    + " -> ".join(shorten(v, 200) for v in visited)
                    + "); only that origin's own responses are judged",
                )
            if target in visited:
                return FetchError(url, "redirect loop: " + " -> ".join([*visited, target]))
            visited.append(target)
            if result.status == 303:
                method, content = "GET", None
        return FetchError(url, f"more than {self.limits.max_redirects} redirects: " + " -> ".join(visited))

    def _once(self, method: str, url: str, headers: Optional[Mapping[str, str]], content: Optional[bytes]) -> Fetched:
        limits = self.limits
        if self.out_of_time():
            return Unreached(url, self.unreached_reason)
        self._deadline.deadline = time.monotonic() + limits.total_seconds
        if self.until is not None:
            self._deadline.deadline = min(self._deadline.deadline, self.until)
        try:
            with self._client.stream(method, url, headers=dict(headers or {}), content=content) as response:
                raw = response.headers.raw
                size = sum(len(name) + len(value) + 4 for name, value in raw)
                if size > limits.max_header_bytes:
                    return FetchError(
                        url, f"response headers are {size} bytes, over the {limits.max_header_bytes}-byte cap"
                    )
                decoder = _Decoder(response.headers.get("content-encoding"), limits.max_body_bytes)
                for chunk in response.iter_raw():
                    decoder.feed(chunk)
                    if decoder.full:
                        break
                return Response(
                    url=url,
                    status=response.status_code,
                    headers=tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in raw),
                    body=bytes(decoder.body[: limits.max_body_bytes]),
                )
        except _Refused as exc:
            return FetchError(url, str(exc))
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ssl.SSLError, OSError) as exc:
            if self.out_of_time():
                return FetchError(url, f"cut off by the run's deadline ({describe(exc, limits)})")
            return FetchError(url, describe(exc, limits))
        except (UnicodeError, ValueError, TypeError) as exc:  # a request httpx cannot even build
            return FetchError(url, f"the request could not be sent ({type(exc).__name__})")
        finally:
            self._deadline.deadline = None


def _origin(url: str) -> tuple[str, str, Optional[int]]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(parts.scheme)


def _show_origin(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


def _in_chain(exc: BaseException, kind: type) -> Optional[BaseException]:
    seen: Optional[BaseException] = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def describe(exc: BaseException, limits: Limits = Limits()) -> str:
    """One sentence for a failed exchange, naming the certificate problem when there is one."""
    bad_cert = _in_chain(exc, ssl.SSLCertVerificationError)
    if bad_cert is not None:
        return f"TLS certificate rejected: {getattr(bad_cert, 'verify_message', None) or bad_cert}"
    handshake = _in_chain(exc, ssl.SSLError)
    if handshake is not None:
        return f"TLS handshake failed: {getattr(handshake, 'reason', None) or handshake}"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {limits.connect_seconds:g} s"
    if isinstance(exc, httpx.TimeoutException):
        detail = str(exc) or "no data"
        return (
            f"the response stalled ({detail}; read limit {limits.read_seconds:g} s, total {limits.total_seconds:g} s)"
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"malformed or oversized response: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}"
    return f"{type(exc).__name__}: {exc}"
