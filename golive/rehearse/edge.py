"""The rehearsal's edge: real nginx rendered from the objects that render CloudFront and the WAF.

One source, two renderers. The header values are the stack's `HeaderSet`, the one
`components/header_policy.py` hands to CloudFront's response headers policy; the
rate buckets are the WAF rules `objectos_core.waf_rules.rate_limit_rules` builds, and
nginx selects requests by compiling each rule's scope-down statement (its regexes,
text transformations and AND/OR/NOT) into `map`s, so the two cannot drift apart:

- every header of the set replaces the upstream's (`proxy_hide_header` + `add_header
  ... always`), as CloudFront's override does; HSTS only when the set carries it;
- CORS: for an Origin in the policy's list the edge sets the policy's Access-Control-*
  headers (CloudFront's origin override); for any other Origin the upstream's pass
  through, so a refusal is the runtime's own;
- per client IP, one `limit_req_zone` per rate rule keyed by `$binary_remote_addr`
  when the rule counts the request and by an empty key (not counted) when not; a
  limited client gets the rule's custom response (429, its body, Retry-After);
- TLS 1.2 and 1.3 only, with the TLSv1.2_2021 policy's ciphers and the local CA's
  leaf; plain HTTP answers 301 to https on every path; `server_tokens off`.

`fidelity()` says, per verify check, where this differs from AWS. `started_edge` runs
nginx in the foreground on free loopback ports, in its own process group, and removes
its folder on exit.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, Optional

from golive.rehearse import process as proc
from golive.rehearse.pki import Pki
from golive.rehearse.runtime import LOOPBACK
from objectos_core import waf_rules
from objectos_core.fields import filled
from objectos_core.headers import HSTS, HeaderSet
from objectos_core.waf_rules import RateLimitLike, Rule, Statement

BUCKETS = {"auth": waf_rules.AUTH_RULE, "write": waf_rules.WRITE_RULE, "read": waf_rules.READ_RULE}
"""The checklist's buckets and the WAF rule that carries each (rate_limit_rules' order)."""
NGINX_HINT = "install the Debian package nginx (tools/system-packages.sh does, as `make test` runs it)"
START_TIMEOUT_SECONDS = 10.0
ZONE_SIZE = "1m"  # about 16,000 client addresses per zone

# CloudFront's TLSv1.2_2021 security policy: TLS 1.2 and 1.3, these TLS 1.2 ciphers.
TLS_PROTOCOLS = "TLSv1.2 TLSv1.3"
TLS12_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
)
PREFLIGHT_ONLY = ("Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age")
"""CloudFront sends these on preflight (OPTIONS) answers only."""
REMOVED_HEADERS = ("X-Powered-By",)
"""What the kit's CloudFront policy removes from the origin's answers."""
CONTENT_TYPES = {"APPLICATION_JSON": "application/json", "TEXT_PLAIN": "text/plain", "TEXT_HTML": "text/html"}
CUSTOM_RESPONSE_BODIES = {waf_rules.RATE_LIMITED_BODY_KEY: waf_rules.RATE_LIMITED_BODY}
"""The web ACL's custom response bodies, by key (components/waf_rate_limits.py declares the same)."""
LOG_FIELDS = ("rules", "status", "method", "request_uri")

Progress = Callable[[str], None]


class EdgeConfigError(ValueError):
    """An input nginx cannot be given; the message names the key and what to do."""


class NginxMissing(Exception):
    """nginx is not installed."""


def nginx_binary() -> Optional[str]:
    """The nginx executable (Debian installs it in /usr/sbin, often not on a user's PATH), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def missing() -> Optional[str]:
    """Why the edge cannot run here, or None when it can."""
    return None if nginx_binary() else f"nginx is not installed: {NGINX_HINT}"


# --- nginx strings --------------------------------------------------------------


def nginx_string(value: str, what: str) -> str:
    """`value` as one double-quoted nginx token that nginx reads back unchanged.

    nginx expands `$name` in most directives and has no escape for `$`, so a `$` is
    written as `${edge_dollar}`, a variable holding "$" (see `_DOLLAR`).
    """
    if not isinstance(value, str):
        raise EdgeConfigError(f"{what} must be text, got {type(value).__name__}")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise EdgeConfigError(f"{what} holds a control character (a line break?); give it on one line")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "${edge_dollar}")
    return f'"{escaped}"'


def nginx_regex(pattern: str, what: str, caseless: bool = False) -> str:
    """A map key matching `pattern` (PCRE, as AWS WAF's regex); no variable expansion in map keys."""
    if any(ord(ch) < 0x20 for ch in pattern):
        raise EdgeConfigError(f"{what}: the pattern holds a control character")
    escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
    return f'"~{"*" if caseless else ""}{escaped}"'


_DOLLAR = 'geo $edge_dollar { default "$"; }'  # geo values are never expanded


# --- rate rules: WAF statements compiled to nginx maps ----------------------------


def rate_rules(rates: Mapping[str, Optional[RateLimitLike]]) -> list[Rule]:
    """The WAF's rate rules for these buckets (waf_rules.rate_limit_rules), without those given as None.

    Every bucket must be named; None says on purpose that the edge does not limit it.
    """
    if not isinstance(rates, Mapping):
        raise EdgeConfigError(f"rates must map {', '.join(BUCKETS)} to a limit, got {type(rates).__name__}")
    unknown = sorted(set(map(str, rates)) - set(BUCKETS))
    if unknown:
        raise EdgeConfigError(f"rates[{unknown[0]!r}] is not a bucket; the buckets are {', '.join(BUCKETS)}")
    for bucket in BUCKETS:
        if bucket not in rates:
            raise EdgeConfigError(
                f"rates[{bucket!r}] is missing; give its limit (settings.rate_limits.{bucket}), or None to leave it off"
            )
        limit = rates[bucket]
        if limit is None:
            continue
        for attribute in ("limit", "window_seconds"):
            value = getattr(limit, attribute, None)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise EdgeConfigError(f"rates[{bucket!r}].{attribute} must be a positive whole number, got {value!r}")
    stand_in = waf_rules.RateLimit(limit=waf_rules.RATE_LIMIT_MIN)  # for a bucket left off: its rule is dropped
    built = waf_rules.rate_limit_rules(*(rates[bucket] or stand_in for bucket in BUCKETS))
    kept = {BUCKETS[bucket] for bucket in BUCKETS if rates[bucket] is not None}
    return [rule for rule in built if rule["Name"] in kept]


class _Maps:
    """nginx `map` blocks, one variable per distinct statement (same statement, same variable)."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._seen: dict[str, str] = {}

    def add(self, source: str, entries: Sequence[tuple[str, str]], default: str, hint: str) -> str:
        body = "".join(f" {key} {value};" for key, value in entries) + f" default {default};"
        signature = f"{source}|{body}"
        if signature not in self._seen:
            name = f"$edge_{hint}_{len(self._seen)}"
            self.blocks.append(f"map {source} {name} {{{body} }}")
            self._seen[signature] = name
        return self._seen[signature]


# The path a WAF rule sees after its transformations, as nginx holds it. nginx's $uri is
# the path percent-decoded, with `.`/`..` segments resolved and slashes merged: the
# WAF's URL_DECODE then NORMALIZE_PATH. No transformation is the raw path.
_DECODED = (("URL_DECODE", "NORMALIZE_PATH"), ("URL_DECODE_UNI", "NORMALIZE_PATH"))
_RAW_PATH = 'map $request_uri $edge_raw_path { "~^(?<edge_path>[^?]*)" $edge_path; }'


def _transformations(body: Mapping[str, Any], what: str) -> tuple[tuple[str, ...], bool]:
    steps = body.get("TextTransformations") or []
    kinds = [step.get("Type") for step in sorted(steps, key=lambda step: step.get("Priority", 0))]
    kinds = [kind for kind in kinds if kind != "NONE"]
    caseless = bool(kinds) and kinds[-1] == "LOWERCASE"
    if caseless:
        kinds = kinds[:-1]
    if "LOWERCASE" in kinds:
        raise EdgeConfigError(f"{what}: LOWERCASE before other transformations has no nginx equivalent")
    return tuple(kinds), caseless


def _leaf(kind: str, body: Mapping[str, Any], maps: _Maps, what: str) -> str:
    target = body.get("FieldToMatch") or {}
    steps, caseless = _transformations(body, what)
    if "UriPath" in target:
        if steps == ():
            source = "$edge_raw_path"
        elif steps in _DECODED:
            source = "$uri"
        else:
            raise EdgeConfigError(f"{what}: nginx has no path transformed by {', '.join(steps)}")
    elif "Method" in target:
        if steps:
            raise EdgeConfigError(f"{what}: nginx matches the method untransformed, not by {', '.join(steps)}")
        source = "$request_method"
    else:
        raise EdgeConfigError(f"{what}: nginx selects by path and method only, not by {', '.join(target) or 'nothing'}")
    if kind == "RegexMatchStatement":
        pattern = body["RegexString"]
    else:
        search = re.escape(body["SearchString"])
        shapes = {"EXACTLY": "^{}$", "STARTS_WITH": "^{}", "ENDS_WITH": "{}$", "CONTAINS": "{}"}
        shape = shapes.get(body.get("PositionalConstraint"))
        if shape is None:
            raise EdgeConfigError(f"{what}: positional constraint {body.get('PositionalConstraint')} is not rendered")
        pattern = shape.format(search)
    if caseless and re.search(r"[A-Z]", re.sub(r"\\.", "", pattern)):
        raise EdgeConfigError(f"{what}: a lowercased value never matches the upper-case letters in {pattern!r}")
    return maps.add(source, [(nginx_regex(pattern, what, caseless), "1")], "0", "match")


def _compile(statement: Statement, maps: _Maps, what: str) -> str:
    """A variable that is "1" when the statement matches the request and "0" when not."""
    if not isinstance(statement, Mapping) or len(statement) != 1:
        raise EdgeConfigError(f"{what}: a statement holds exactly one type, got {statement!r}")
    ((kind, body),) = statement.items()
    if kind in ("RegexMatchStatement", "ByteMatchStatement"):
        return _leaf(kind, body, maps, what)
    if kind == "NotStatement":
        inner = _compile(body["Statement"], maps, what)
        return maps.add(inner, [('"1"', "0")], "1", "not")
    if kind in ("AndStatement", "OrStatement"):
        parts = [_compile(s, maps, what) for s in body["Statements"]]
        source = '"' + "".join("${" + part[1:] + "}" for part in parts) + '"'
        if kind == "AndStatement":
            return maps.add(source, [(f'"{"1" * len(parts)}"', "1")], "0", "and")
        return maps.add(source, [(f'"{"0" * len(parts)}"', "0")], "1", "or")
    raise EdgeConfigError(f"{what}: nginx cannot select requests by {kind}")


@dataclass(frozen=True)
class Zone:
    """One rate rule as nginx enforces it."""

    rule: str
    limit: int
    window_seconds: int
    counted: str
    """A variable: "1" when the rule counts the request, "0" when not (or the literal "1")."""
    status: int
    retry_after: str
    body: str
    content_type: str

    @property
    def per_minute(self) -> int:
        """nginx's rate: whole requests per minute, so a limit per window rounds down (at least 1)."""
        return max(1, self.limit * 60 // self.window_seconds)


def _zones(rules: Sequence[Rule], maps: _Maps) -> list[Zone]:
    zones = []
    for rule in rules:
        name = rule["Name"]
        rate = rule["Statement"]["RateBasedStatement"]
        if rate.get("AggregateKeyType") != "IP":
            raise EdgeConfigError(f"rule {name}: nginx keys by client IP only, not {rate.get('AggregateKeyType')}")
        scope = rate.get("ScopeDownStatement")
        counted = _compile(scope, maps, f"rule {name}") if scope is not None else "1"
        response = rule["Action"]["Block"]["CustomResponse"]
        body = CUSTOM_RESPONSE_BODIES[response["CustomResponseBodyKey"]]
        headers = {h["Name"]: h["Value"] for h in response.get("ResponseHeaders", [])}
        zones.append(
            Zone(
                rule=name,
                limit=rate["Limit"],
                window_seconds=rate["EvaluationWindowSec"],
                counted=counted,
                status=response["ResponseCode"],
                retry_after=headers.get("Retry-After", ""),
                body=body["content"],
                content_type=CONTENT_TYPES[body["content_type"]],
            )
        )
    statuses = {zone.status for zone in zones}
    if len(statuses) > 1:
        raise EdgeConfigError(f"the rate rules answer {sorted(statuses)}; nginx answers one status for all of them")
    return zones


def _flags(zones: Sequence[Zone]) -> str:
    """One string of the zones' counted flags, e.g. "101": auth and read count this request."""
    return '"' + "".join(z.counted if z.counted == "1" else "${" + z.counted[1:] + "}" for z in zones) + '"'


def _rate_blocks(zones: Sequence[Zone]) -> list[str]:
    if not zones:  # no bucket limited: the variables the config reads still exist, empty
        return ['map "" $edge_rate_rules { default "-"; }', 'map "" $edge_retry_after { default ""; }']
    blocks = []
    for zone in zones:
        key = "$binary_remote_addr"  # a rule without a scope-down statement counts every request
        if zone.counted != "1":
            key = f"$edge_key_{_ident(zone.rule)}"
            blocks.append(f'map {zone.counted} {key} {{ "1" $binary_remote_addr; default ""; }}')
        blocks.append(f"limit_req_zone {key} zone={zone.rule}:{ZONE_SIZE} rate={zone.per_minute}r/m;")
    flags = _flags(zones)
    # Retry-After: the window of the first rule, in priority order, that counts the request (the
    # WAF's first blocking rule answers); the access log names every rule that counts it.
    retry = [(f'"~^{"0" * i}1"', nginx_string(z.retry_after, f"{z.rule}: Retry-After")) for i, z in enumerate(zones)]
    blocks.append(f"map {flags} $edge_retry_after {{" + "".join(f" {k} {v};" for k, v in retry) + ' default ""; }')
    names = []
    for bits in product("01", repeat=len(zones)):
        counted = [z.rule for z, bit in zip(zones, bits, strict=True) if bit == "1"]
        names.append(f' "{"".join(bits)}" "{",".join(counted) or "-"}";')
    blocks.append(f"map {flags} $edge_rate_rules {{" + "".join(names) + ' default "-"; }')
    blocks.append(f"limit_req_status {zones[0].status};")
    blocks.append("limit_req_log_level warn;")
    return blocks


def _ident(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower())


# --- headers and CORS -------------------------------------------------------------


def _header_values(headers: HeaderSet) -> dict[str, str]:
    if not isinstance(headers, HeaderSet):
        raise EdgeConfigError(f"headers must be an objectos_core.headers.HeaderSet, got {type(headers).__name__}")
    values = dict(headers.as_map())
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise EdgeConfigError(f"headers: {name} is empty; nginx would not send it. Give it a value")
        nginx_string(value, f"headers: {name}")
    return values


def _cors_blocks(headers: HeaderSet) -> list[str]:
    cors = headers.cors
    origins = list(cors.origins)
    wildcard = "*" in origins
    listed = "".join(
        f" {nginx_regex('^' + re.escape(origin) + '$', f'cors.origins[{i}]')} 1;"
        for i, origin in enumerate(origins)
        if origin != "*"
    )
    blocks = [f"map $http_origin $edge_cors_listed {{{listed} default {'1' if wildcard else '0'}; }}"]
    if wildcard:  # a policy for any origin (only ever without credentials): CloudFront sends '*'
        blocks[0] = 'map $http_origin $edge_cors_listed { "" 0; default 1; }'
    policy = {
        "Access-Control-Allow-Origin": '"*"' if wildcard else "$http_origin",
        "Access-Control-Allow-Credentials": '"true"' if cors.allow_credentials else '""',
        "Access-Control-Allow-Methods": nginx_string(", ".join(filled(cors.allowed_methods)), "cors.allowed_methods"),
        "Access-Control-Allow-Headers": nginx_string(", ".join(filled(cors.allowed_headers)), "cors.allowed_headers"),
        "Access-Control-Max-Age": f'"{int(filled(cors.max_age_seconds))}"',
        "Access-Control-Expose-Headers": '""',
    }
    for name in CORS_HEADERS:
        variable, upstream = _cors_variable(name), f"$upstream_http_{_ident(name)}"
        if name in PREFLIGHT_ONLY:
            entries = f' "1:OPTIONS" {policy[name]}; "~^1:" "";'
        else:
            entries = f' "~^1:" {policy[name]};'
        blocks.append(f'map "$edge_cors_listed:$request_method" {variable} {{{entries} default {upstream}; }}')
    return blocks


def _cors_variable(name: str) -> str:
    return f"$edge_{_ident(name)}"


def _add_headers(headers: HeaderSet, zones: Sequence[Zone], indent: str) -> str:
    values = _header_values(headers)
    lines = [f"add_header {name} {nginx_string(value, name)} always;" for name, value in values.items()]
    lines += [f"add_header {name} {_cors_variable(name)} always;" for name in CORS_HEADERS]
    return "\n".join(indent + line for line in lines)


# --- the configuration ------------------------------------------------------------


def _upstream(upstream: str) -> str:
    match = re.fullmatch(r"(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})", upstream or "")
    if match is None or not 0 < int(match.group(2)) < 65536:
        raise EdgeConfigError(f"upstream {upstream!r} must be 127.0.0.1:PORT (the runtime on loopback)")
    return upstream


def _server_name(server_name: str) -> str:
    if not isinstance(server_name, str) or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", server_name):
        raise EdgeConfigError(f"server_name {server_name!r} must be a host name (letters, digits, '.', '-')")
    return server_name


def _port(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        raise EdgeConfigError(f"{what} {value!r} must be a port number from 1 to 65535")
    return value


def _path(path: Path, what: str) -> str:
    """A file path as a bare nginx token: nothing nginx would split on or expand."""
    text = os.fspath(path)
    if not text or re.search(r"[\s\"';{}$#\\]", text):
        raise EdgeConfigError(f"{what} {text!r} holds white space or one of \" ' ; {{ }} $ # \\; use a plainer folder")
    return text


def user_directive() -> str:
    """As root, workers run as root too: they read this run's private folder, which no other user may."""
    return f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""


def render(
    headers: HeaderSet,
    rates: Mapping[str, Optional[RateLimitLike]],
    upstream: str,
    server_name: str,
    http_port: int,
    https_port: int,
    pki: Pki,
    directory: Path,
) -> str:
    """nginx.conf for the edge in front of `upstream`, its state and logs in `directory`."""
    upstream = _upstream(upstream)
    server_name = _server_name(server_name)
    http_port, https_port = _port(http_port, "http_port"), _port(https_port, "https_port")
    maps = _Maps()
    zones = _zones(rate_rules(rates), maps)
    values = _header_values(headers)
    d = _path(directory, "directory")
    cert, key = _path(pki.cert, "pki.cert"), _path(pki.key, "pki.key")
    hidden = [*values, *CORS_HEADERS, *REMOVED_HEADERS]
    hide = "\n".join(f"      proxy_hide_header {name};" for name in hidden)
    limits = "\n".join(f"      limit_req zone={z.rule} burst={z.limit - 1} nodelay;" for z in zones)
    status = zones[0].status if zones else waf_rules.RATE_LIMITED_STATUS
    body = zones[0].body if zones else waf_rules.RATE_LIMITED_BODY["content"]
    content_type = zones[0].content_type if zones else "application/json"
    authority = server_name if https_port == 443 else f"{server_name}:{https_port}"
    hsts_note = "HSTS sent: the header set carries it" if HSTS in values else "no HSTS: the header set has none"
    blocks = "\n".join(
        "  " + block for block in [_DOLLAR, _RAW_PATH, *maps.blocks, *_rate_blocks(zones), *_cors_blocks(headers)]
    )
    log_format = "\\t".join(f"${v}" for v in ("edge_rate_rules", "status", "request_method", "request_uri"))
    return f"""# The rehearsal's edge, rendered by golive/rehearse/edge.py from the stack's HeaderSet and WAF rate rules.
# {hsts_note}.
{user_directive()}
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
  server_tokens off;
  default_type application/octet-stream;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  log_format edge escape=json "{log_format}";
  access_log {d}/access.log edge;
{blocks}

  server {{
    listen {LOOPBACK}:{http_port};
    server_name {server_name};
    location / {{ return 301 https://{authority}$request_uri; }}
  }}

  server {{
    listen {LOOPBACK}:{https_port} ssl http2;
    server_name {server_name};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols {TLS_PROTOCOLS};
    ssl_ciphers {TLS12_CIPHERS};
    ssl_prefer_server_ciphers off;
{_add_headers(headers, zones, "    ")}
    error_page {status} @rate_limited;

    location / {{
{limits}
      proxy_pass http://{upstream};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-Host $host;
{hide}
    }}

    location @rate_limited {{
      default_type {content_type};
{_add_headers(headers, zones, "      ")}
      add_header Retry-After $edge_retry_after always;
      return {status} {nginx_string(body, "the rate-limited body")};
    }}
  }}
}}
"""


# --- running nginx ---------------------------------------------------------------


@dataclass(frozen=True)
class AccessEntry:
    """One request as the edge logged it: which rate rules counted it, and its answer."""

    rules: tuple[str, ...]
    status: int
    method: str
    request_uri: str


@dataclass(frozen=True)
class Edge:
    """A running edge: its URLs, the CA that signs its certificate, its folder and logs."""

    https_url: str
    http_url: str
    ca_file: Path
    http_port: int
    https_port: int
    directory: Path
    process: subprocess.Popen = field(repr=False)

    def access_log(self) -> list[AccessEntry]:
        """Every request logged so far (nginx writes a line when it has answered)."""
        return read_access_log(self.directory / "access.log")

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    @property
    def conf(self) -> str:
        return (self.directory / "nginx.conf").read_text(encoding="utf-8")


def read_access_log(path: Path) -> list[AccessEntry]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t", len(LOG_FIELDS) - 1)
        if len(parts) != len(LOG_FIELDS) or not parts[1].isdigit():
            continue
        rules = tuple(r for r in parts[0].split(",") if r and r != "-")
        entries.append(AccessEntry(rules, int(parts[1]), parts[2], parts[3]))
    return entries


def _wait_listening(process: subprocess.Popen, directory: Path, ports: Sequence[int]) -> None:
    """Return once this nginx listens on every port; PortTaken when one was taken first.

    An answering port alone could be another process's listener: nginx writes its pid
    file only after binding all of its ports, so the pid file names the listener."""
    log, pid_file = directory / "error.log", directory / "nginx.pid"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Address already in use" in text:
            raise proc.PortTaken(text)  # nginx would retry the bind for seconds; new ports are quicker
        if process.poll() is not None:
            raise proc.StartFailed(f"nginx exited with code {process.returncode}", text)
        ours = pid_file.exists() and pid_file.read_text().strip() == str(process.pid)
        if ours and all(proc.answers(port) for port in ports):
            return
        time.sleep(0.02)
    text = log.read_text(errors="replace") if log.exists() else ""
    raise proc.StartFailed(f"nginx did not listen within {START_TIMEOUT_SECONDS:.0f} s", text)


@contextlib.contextmanager
def run_nginx(
    conf_for: Callable[[int, int], str],
    directory: Path,
    ports: Callable[[int], list[int]] = proc.free_ports,
) -> Iterator[tuple[subprocess.Popen, int, int]]:
    """nginx in the foreground with the conf `conf_for(http_port, https_port)` renders for two free
    loopback ports, in its own process group; new ports when one is taken before nginx binds it.
    Stopped on exit; `directory` (its conf, pid, logs, temp files) is left to the caller."""
    binary = nginx_binary()
    if binary is None:
        raise NginxMissing(f"nginx is not installed: {NGINX_HINT}")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    conf = directory / "nginx.conf"

    def start(chosen: list[int]) -> subprocess.Popen:
        conf.write_text(conf_for(chosen[0], chosen[1]), encoding="utf-8")
        for stale in (directory / "nginx.pid", directory / "error.log"):
            stale.unlink(missing_ok=True)
        return proc.spawn([binary, "-p", str(directory), "-c", str(conf), "-e", str(directory / "error.log")])

    process, (http_port, https_port) = proc.start_on_free_ports(
        2, start, lambda p, chosen: _wait_listening(p, directory, chosen), ports=ports
    )
    try:
        yield process, http_port, https_port
    finally:
        proc.stop_group(process)


def version() -> str:
    """`nginx -v`'s version, e.g. "1.22.1"."""
    binary = nginx_binary()
    if binary is None:
        raise NginxMissing(f"nginx is not installed: {NGINX_HINT}")
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10)
    return (done.stderr or done.stdout).strip().rsplit("/", 1)[-1]


@contextlib.contextmanager
def started_edge(
    headers: HeaderSet,
    rates: Mapping[str, Optional[RateLimitLike]],
    upstream: str,
    pki: Pki,
    server_name: str = "localhost",
    progress: Progress = lambda _: None,
    ports: Callable[[int], list[int]] = proc.free_ports,
) -> Iterator[Edge]:
    """The edge rendered from these inputs, running on loopback; stopped and its folder removed on exit.

    `server_name` must resolve to 127.0.0.1 for a client to use the URLs (localhost does),
    and `pki`'s leaf must name it.
    """
    _server_name(server_name)
    if server_name not in pki.hosts:
        raise EdgeConfigError(f"server_name {server_name!r} is not among the certificate's hosts {list(pki.hosts)}")
    rate_rules(rates)  # a bad input fails here, before anything starts
    directory = Path(tempfile.mkdtemp(prefix="objectos-edge-"))
    try:
        progress(f"starting nginx {version()} in front of {upstream}")

        def conf_for(http_port: int, https_port: int) -> str:
            return render(headers, rates, upstream, server_name, http_port, https_port, pki, directory)

        with run_nginx(conf_for, directory, ports=ports) as (process, http_port, https_port):
            progress(f"edge listening: https://{server_name}:{https_port} and http://{server_name}:{http_port}")
            yield Edge(
                https_url=f"https://{server_name}:{https_port}",
                http_url=f"http://{server_name}:{http_port}",
                ca_file=pki.ca_cert,
                http_port=http_port,
                https_port=https_port,
                directory=directory,
                process=process,
            )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# --- where the rehearsal's edge is not AWS ---------------------------------------------


def fidelity() -> list[tuple[str, str]]:
    """(checklist id of a verify check, how nginx differs there from CloudFront, the WAF or ACM)."""
    return [
        (
            "rate-limits-auth-write",
            "AWS WAF counts each rule over a sliding 1-10 min window and acts within about 30 s; nginx's "
            "limit_req is a leaky bucket: the first `limit` requests pass at once (burst), the next is refused "
            "at once, and capacity comes back at limit/window per minute, rounded down to whole requests",
        ),
        (
            "rate-limits-auth-write",
            "the buckets select requests with the WAF rules' own patterns, on nginx's $uri (percent-decoded, "
            "dot segments resolved, slashes merged: URL_DECODE then NORMALIZE_PATH); nginx refuses a path "
            "climbing above / with 400 where the WAF counts it, and keeps '+' where URL_DECODE reads a space",
        ),
        (
            "rate-limits-auth-write",
            "one nginx answers for every rule: Retry-After is the window of the first rule, in priority order, "
            "that counts the request, and clients are keyed by the connection's address (no X-Forwarded-For)",
        ),
        (
            "security-headers-present",
            "CloudFront's override replaces the origin's header; nginx hides the upstream's "
            "(proxy_hide_header) and adds its own with `add_header ... always`, on every status",
        ),
        (
            "hsts-after-tls",
            "HSTS is sent by nginx when the header set carries it; CloudFront holds it back until the ACM "
            "certificate validates (tls_ready), which a local CA has no step for",
        ),
        (
            "cors-explicit-origins",
            "for a listed Origin nginx sets the policy's Access-Control-* headers (Allow-Methods, -Headers and "
            "Max-Age on OPTIONS only), as CloudFront's origin override; for any other Origin the runtime's own "
            "Access-Control-* pass through, first value of each",
        ),
        (
            "tls-at-edge",
            "the certificate comes from a local CA the verifier is told to trust (--ca-file), not from ACM; "
            "TLS 1.2 and 1.3 with the TLSv1.2_2021 policy's ciphers, from OpenSSL rather than CloudFront",
        ),
        (
            "tls-at-edge",
            "plain HTTP is a second loopback port redirected with 301 to https; CloudFront answers on port 80 "
            "of the same name",
        ),
    ]
