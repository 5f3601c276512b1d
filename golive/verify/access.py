"""Cross-organization and cross-environment access probes, read from a YAML file.

A probe names its credential by the environment variable that holds it, never
the value; `${NAME}` in a path, header value or body string is replaced from the
environment (for ids such as another organization's). Reports show the probe as
written, so neither credentials nor expanded values reach the output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from golive.results import Finding
from golive.verify.checks import AccessProbeResult, access_denied
from golive.verify.http import HttpProbe
from settings import files

EXPECTATIONS = ("denied", "empty", "allowed")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
CREDENTIAL_KINDS = ("bearer", "cookie", "header")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PROBE_KEYS = {"name", "credential", "method", "path", "headers", "body", "expect", "deniedStatuses"}
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name (RFC 9110 token)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AccessFileError(Exception):
    """The probe file cannot be used; every problem is listed, each with where it is."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Credential:
    env: str
    kind: str  # bearer | cookie | header
    header: Optional[str] = None  # the header name when kind is "header"

    def headers(self, environ: Mapping[str, str]) -> dict[str, str]:
        value = environ[self.env]
        if self.kind == "bearer":
            return {"Authorization": f"Bearer {value}"}
        if self.kind == "cookie":
            return {"Cookie": value}
        return {self.header or "": value}


@dataclass(frozen=True)
class Probe:
    name: str
    method: str
    path: str
    expect: tuple[str, ...]
    credential: Optional[Credential] = None  # None: anonymous
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None
    denied: Optional[tuple[int, ...]] = None

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"

    def variables(self) -> set[str]:
        texts = [self.path, *(v for _, v in self.headers), json.dumps(self.body)]
        found = {m for text in texts for m in _VARIABLE.findall(text)}
        return found | ({self.credential.env} if self.credential else set())


def load(path: Path) -> list[Probe]:
    source = str(path)
    try:
        document = files.load_yaml(path)
    except files.InputFileError as exc:
        raise AccessFileError(exc.where, [exc.reason]) from None
    raw = document.get("probes") if isinstance(document, dict) else None
    if not isinstance(raw, list) or not raw:
        raise AccessFileError(source, ["needs a non-empty `probes:` list"])
    probes, problems = [], []
    for index, item in enumerate(raw):
        probe, found = _parse(item, f"probes[{index}]")
        problems += found
        if probe is not None:
            probes.append(probe)
    names = [p.name for p in probes]
    problems += [
        f"probe name '{n}' is used twice; names identify the rows of the report"
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    if problems:
        raise AccessFileError(source, problems)
    return probes


def missing_variables(probes: list[Probe], environ: Mapping[str, str]) -> list[str]:
    return sorted({name for probe in probes for name in probe.variables() if not environ.get(name)})


def secret_values(probes: list[Probe], environ: Mapping[str, str]) -> list[str]:
    """Every value the probes take from the environment: none may reach a report."""
    return [environ[name] for name in sorted({n for p in probes for n in p.variables()}) if environ.get(name)]


def value_problems(probes: list[Probe], environ: Mapping[str, str]) -> list[str]:
    """Environment values no request can carry, named by variable, never quoted.

    A trailing carriage return is what `$(cat token.txt)` leaves from a file with CRLF line
    endings; HTTP header values are ASCII (RFC 9110), so a credential must be too.
    """
    problems = []
    for name in sorted({n for p in probes for n in p.variables()}):
        value = environ.get(name) or ""
        if _CONTROL.search(value):
            where = "ends with" if _CONTROL.fullmatch(value[-1]) else "holds"
            what = "a carriage return" if "\r" in value else "a line break" if "\n" in value else "a control character"
            problems.append(
                f"${name} {where} {what}; strip it (e.g. {name}=\"$(tr -d '\\r\\n' < FILE)\") and run again"
            )
        elif not value.isascii():
            problems.append(f"${name} holds non-ASCII characters, which an HTTP header cannot carry; check its value")
    return problems


def run(probes: list[Probe], client: HttpProbe, base_url: str, environ: Mapping[str, str]) -> list[Finding]:
    return [access_denied(_send(probe, client, base_url, environ)) for probe in probes]


def _send(probe: Probe, client: HttpProbe, base_url: str, environ: Mapping[str, str]) -> AccessProbeResult:
    headers = {name: _expand(value, environ) for name, value in probe.headers}
    if probe.credential:
        headers.update(probe.credential.headers(environ))
    content = None
    if probe.body is not None:
        content = json.dumps(_expand_all(probe.body, environ)).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    url = base_url.rstrip("/") + _expand(probe.path, environ)
    # No redirects: a redirect could carry the credential to another host.
    fetched = client.fetch(probe.method, url, headers=headers, content=content)
    return AccessProbeResult(
        name=probe.name,
        request=probe.request,
        expect=probe.expect,
        fetched=fetched,
        credential=probe.credential.env if probe.credential else None,
        denied=probe.denied,
    )


def _expand(text: str, environ: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: environ[m.group(1)], text)


def _expand_all(value: Any, environ: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _expand(value, environ)
    if isinstance(value, dict):
        return {k: _expand_all(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_all(v, environ) for v in value]
    return value


def _parse(item: Any, where: str) -> tuple[Optional[Probe], list[str]]:
    if not isinstance(item, dict):
        return None, [f"{where}: must be a mapping with name, credential, method, path and expect"]
    problems = [
        f"{where}.{key}: is not a probe key (use {', '.join(sorted(_PROBE_KEYS))})"
        for key in item
        if key not in _PROBE_KEYS
    ]
    name, method, path = item.get("name"), str(item.get("method", "GET")).upper(), item.get("path")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name: give the probe a name")
    if method not in METHODS:
        problems.append(f"{where}.method: '{files.shorten(method)}' is not one of {', '.join(METHODS)}")
    if not isinstance(path, str) or not path.startswith("/") or _CONTROL.search(path) or " " in path:
        problems.append(f"{where}.path: write the path from the root, e.g. /api/v1/data/account")
    expect = item.get("expect")
    expect = tuple(expect) if isinstance(expect, list) else (expect,)
    if not expect or any(e not in EXPECTATIONS for e in expect):
        problems.append(f"{where}.expect: use {', '.join(EXPECTATIONS)} (or a list of them)")
    headers = item.get("headers") or {}
    if (
        not isinstance(headers, dict)
        or not all(isinstance(k, str) and _TOKEN.fullmatch(k) for k in headers)
        or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in headers.values())
    ):
        problems.append(f"{where}.headers: must map header names (letters, digits, '-') to text values")
        headers = {}
    elif any(_CONTROL.search(str(v)) or not str(v).isascii() for v in headers.values()):
        problems.append(f"{where}.headers: a header value holds a line break or a non-ASCII character; remove it")
        headers = {}
    if any(k.lower() in ("authorization", "cookie") for k in headers):
        problems.append(
            f"{where}.headers: put credentials under `credential` (an environment variable name), not in headers"
        )
    credential, found = _credential(item.get("credential", ...), f"{where}.credential")
    problems += found
    denied = item.get("deniedStatuses")
    if denied is not None and (
        not isinstance(denied, list) or not all(isinstance(s, int) and 400 <= s < 600 for s in denied)
    ):
        problems.append(f"{where}.deniedStatuses: list HTTP error statuses, e.g. [400, 403, 422]")
    if problems:
        return None, problems
    return (
        Probe(
            name=name.strip(),
            method=method,
            path=path,
            expect=expect,
            credential=credential,
            headers=tuple((str(k), str(v)) for k, v in headers.items()),
            body=item.get("body"),
            denied=tuple(denied) if denied else None,
        ),
        [],
    )


def _credential(raw: Any, where: str) -> tuple[Optional[Credential], list[str]]:
    # No default on purpose: a forgotten credential would make a probe "pass" with a 401.
    if raw is ...:
        return None, [
            f"{where}: required; name the environment variable ({{env: NAME, kind: bearer}}) or write `anonymous`"
        ]
    if raw == "anonymous":
        return None, []
    if not isinstance(raw, dict):
        return None, [f"{where}: write {{env: NAME, kind: bearer|cookie|header}} or `anonymous`"]
    env, kind, header = raw.get("env"), raw.get("kind", "bearer"), raw.get("header")
    problems = []
    if not isinstance(env, str) or not _ENV_NAME.fullmatch(env):
        problems.append(
            f"{where}.env: the name of the environment variable holding the token or cookie, never the value"
        )
    if not isinstance(kind, str) or kind not in CREDENTIAL_KINDS:
        problems.append(f"{where}.kind: '{files.shorten(kind)}' is not one of {', '.join(CREDENTIAL_KINDS)}")
    if kind == "header" and not (isinstance(header, str) and _TOKEN.fullmatch(header)):
        problems.append(f"{where}.header: name the header that carries the credential")
    if problems:
        return None, problems
    return Credential(env=env, kind=kind, header=header), []
