"""content-security-policy: the Observatory's src/analyzer/tests/csp.js and cspParser.js.

The header value is read as one policy, as the Observatory reads it: Node joins a
repeated Content-Security-Policy header with ", " into one string, and the scanner
does not split it again, so a comma is just part of a source token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from golive.grader.model import Outcome, Response

NAME = "content-security-policy"


class Result(StrEnum):
    NO_UNSAFE_DEFAULT_SRC_NONE = "csp-implemented-with-no-unsafe-default-src-none"
    NO_UNSAFE = "csp-implemented-with-no-unsafe"
    UNSAFE_INLINE_IN_STYLE_SRC_ONLY = "csp-implemented-with-unsafe-inline-in-style-src-only"
    INSECURE_SCHEME_IN_PASSIVE_CONTENT_ONLY = "csp-implemented-with-insecure-scheme-in-passive-content-only"
    UNSAFE_EVAL = "csp-implemented-with-unsafe-eval"
    UNSAFE_INLINE = "csp-implemented-with-unsafe-inline"
    INSECURE_SCHEME = "csp-implemented-with-insecure-scheme"
    DUPLICATE_DIRECTIVES = "csp-implemented-but-duplicate-directives"
    HEADER_INVALID = "csp-header-invalid"
    NOT_IMPLEMENTED = "csp-not-implemented"
    NOT_IMPLEMENTED_BUT_REPORTING_ENABLED = "csp-not-implemented-but-reporting-enabled"


TABLE = {
    Result.NO_UNSAFE_DEFAULT_SRC_NONE: (
        10,
        "CSP sets default-src 'none' and allows no unsafe sources; keep allowing only what each page needs.",
    ),
    Result.NO_UNSAFE: (
        5,
        "CSP has no unsafe script sources; set default-src 'none' and allow sources per directive to earn +10.",
    ),
    Result.UNSAFE_INLINE_IN_STYLE_SRC_ONLY: (
        0,
        "CSP allows unsafe or broad style sources ({sources}); move inline styles into files or use nonces/hashes to earn +5.",
    ),
    Result.INSECURE_SCHEME_IN_PASSIVE_CONTENT_ONLY: (
        -10,
        "CSP lets images or media load over plain HTTP ({sources}); change those sources to https.",
    ),
    Result.UNSAFE_EVAL: (
        -10,
        "CSP allows 'unsafe-eval'; remove eval()-style code, then remove 'unsafe-eval' from the policy.",
    ),
    Result.UNSAFE_INLINE: (
        -20,
        "CSP does not restrict scripts or plugins ({problem}); remove 'unsafe-inline', data: and broad sources from script-src and set object-src 'none'.",
    ),
    Result.INSECURE_SCHEME: (
        -20,
        "CSP allows active content over plain HTTP or FTP ({sources}); switch those sources to https.",
    ),
    Result.DUPLICATE_DIRECTIVES: (
        0,
        "CSP repeats {directives}, which costs the policy its bonus; remove the duplicates.",
    ),
    Result.HEADER_INVALID: (
        -25,
        "Content-Security-Policy cannot be parsed ({error}); fix the syntax.",
    ),
    Result.NOT_IMPLEMENTED: (
        -25,
        "No Content-Security-Policy header; add one, starting from default-src 'none' and allowing only what the app needs.",
    ),
    Result.NOT_IMPLEMENTED_BUT_REPORTING_ENABLED: (
        -25,
        "Only Content-Security-Policy-Report-Only is set, which blocks nothing; send the policy as Content-Security-Policy once its reports are clean.",
    ),
}

DANGEROUSLY_BROAD = frozenset({"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"})
_UNSAFE_INLINE = frozenset({"'unsafe-inline'", "data:"})
_BROAD_OR_INLINE = DANGEROUSLY_BROAD | _UNSAFE_INLINE
_PASSIVE_DIRECTIVES = ("img-src", "media-src")
_NONCE_HASH_PREFIXES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
_MIN_POLICY_LENGTH = len("img-src") - 1  # the Observatory's shortest acceptable policy
_ALLOWED_DUPLICATES = frozenset({"report-uri", "report-to"})
_NONE = frozenset({"'none'"})
# Results after which the Observatory reports duplicate report-uri/report-to instead.
_PASSING = frozenset(
    {
        Result.NO_UNSAFE,
        Result.NO_UNSAFE_DEFAULT_SRC_NONE,
        Result.UNSAFE_INLINE_IN_STYLE_SRC_ONLY,
        Result.INSECURE_SCHEME_IN_PASSIVE_CONTENT_ONLY,
    }
)


class CspParseError(ValueError):
    """The Content-Security-Policy header cannot be parsed."""


@dataclass(frozen=True)
class ParsedCsp:
    directives: dict[str, frozenset[str]]
    duplicates: frozenset[str]  # allowed duplicates (report-uri/report-to) seen


def parse_csp(header: str) -> ParsedCsp:
    """Parse one policy into directive -> sources, as the Observatory's parseCsp does.

    An empty or shorter-than-6-character policy is invalid, and so is a repeated directive
    (except report-uri/report-to, whose last copy is kept). A directive without sources
    means 'none'. Within a directive a source is dropped when the source just before it
    in sorted order is a prefix of it (https: makes https://a.example superfluous).
    """
    policy = header.replace("\r", "").replace("\n", "").strip()
    if len(policy) < _MIN_POLICY_LENGTH:
        raise CspParseError(f"policy {policy!r} is empty or too short")
    directives: dict[str, frozenset[str]] = {}
    duplicates: set[str] = set()
    for entry in policy.split(";"):
        name, *sources = re.split(r"\s+", entry.strip())
        if not name:
            continue
        name = name.lower()
        if name in directives:
            if name not in _ALLOWED_DUPLICATES:
                raise CspParseError(f"directive {name} appears twice")
            duplicates.add(name)
        directives[name] = _without_shadowed(s.lower() for s in sources) or _NONE
    return ParsedCsp(directives, frozenset(duplicates))


def _without_shadowed(sources: Iterable[str]) -> frozenset[str]:
    ordered = sorted(sources)
    return frozenset(s for i, s in enumerate(ordered) if i == 0 or not s.startswith(ordered[i - 1]))


def _has_nonce_or_hash(sources: Iterable[str]) -> bool:
    return any(s.startswith(_NONCE_HASH_PREFIXES) for s in sources)


def _insecure(sources: Iterable[str]) -> set[str]:
    return {s for s in sources if s.startswith(("http:", "ftp:"))}


def _quote(sources: Iterable[str]) -> str:
    return " ".join(sorted(sources))


def _unsafe_script_problem(csp: Mapping[str, set[str]], script_src: set[str], object_src: set[str]) -> str:
    problems = []
    if not {"script-src", "default-src"} & csp.keys():
        problems.append("no script-src or default-src")
    elif bad := script_src & _BROAD_OR_INLINE:
        problems.append(f"script-src allows {_quote(bad)}")
    if not {"object-src", "default-src"} & csp.keys():
        problems.append("no object-src or default-src")
    elif bad := object_src & DANGEROUSLY_BROAD:
        problems.append(f"object-src allows {_quote(bad)}")
    return "; ".join(problems)


def _analyse(parsed: ParsedCsp, https: bool) -> Outcome:
    """First failing rule wins, in the Observatory's order."""
    # Mutable copies: like the Observatory, script-src and style-src fall back to the very
    # default-src set, so removing a source from one removes it from every directive sharing it.
    csp = {name: set(sources) for name, sources in parsed.directives.items()}
    script_src = csp.get("script-src") or csp.get("default-src") or {"*"}
    style_src = csp.get("style-src") or csp.get("default-src") or {"*"}
    object_src = csp.get("object-src") or csp.get("default-src") or {"*"}

    # A nonce or hash makes browsers ignore 'unsafe-inline' (it is kept only for old browsers).
    for sources in (script_src, style_src):
        if _has_nonce_or_hash(sources):
            sources.discard("'unsafe-inline'")

    result: Result | None = None
    findings: dict[str, str] = {}
    if "'strict-dynamic'" in script_src:
        if _has_nonce_or_hash(script_src):
            # With 'strict-dynamic' browsers ignore host/scheme sources, 'self' and 'unsafe-inline'.
            for source in list(script_src):
                if source.startswith(tuple(DANGEROUSLY_BROAD)) or source in ("'self'", "'unsafe-inline'"):
                    script_src.discard(source)
        else:
            result, findings = Result.HEADER_INVALID, {"error": "'strict-dynamic' needs a nonce or hash in script-src"}

    active = {s for d, sources in csp.items() if d not in _PASSIVE_DIRECTIVES and d != "script-src" for s in sources}
    active |= script_src
    passive = {s for d in _PASSIVE_DIRECTIVES for s in (csp.get(d) or csp.get("default-src") or ())}

    if result is None:
        result, findings = _first_failing(csp, https, script_src, style_src, object_src, active, passive)
    if result in _PASSING and parsed.duplicates:
        return Outcome(Result.DUPLICATE_DIRECTIVES, {"directives": _quote(parsed.duplicates)})
    return Outcome(result, findings)


def _first_failing(
    csp: Mapping[str, set[str]],
    https: bool,
    script_src: set[str],
    style_src: set[str],
    object_src: set[str],
    active: set[str],
    passive: set[str],
) -> tuple[Result, dict[str, str]]:
    if script_src & _BROAD_OR_INLINE or object_src & DANGEROUSLY_BROAD:
        return Result.UNSAFE_INLINE, {"problem": _unsafe_script_problem(csp, script_src, object_src)}
    if https and (bad := _insecure(active)):
        return Result.INSECURE_SCHEME, {"sources": _quote(bad)}
    if "'unsafe-eval'" in script_src | style_src:
        return Result.UNSAFE_EVAL, {}
    if https and (bad := _insecure(passive)):
        return Result.INSECURE_SCHEME_IN_PASSIVE_CONTENT_ONLY, {"sources": _quote(bad)}
    if bad := style_src & _BROAD_OR_INLINE:
        return Result.UNSAFE_INLINE_IN_STYLE_SRC_ONLY, {"sources": _quote(bad)}
    if csp.get("default-src") == _NONE:
        return Result.NO_UNSAFE_DEFAULT_SRC_NONE, {}
    return Result.NO_UNSAFE, {}


def analyse(response: Response) -> tuple[Outcome, ParsedCsp | None]:
    """The CSP outcome and the parsed policy (None when there is none to read)."""
    header = response.header("content-security-policy")
    parsed = None
    if header is not None:
        try:
            parsed = parse_csp(header)
        except CspParseError as err:
            return Outcome(Result.HEADER_INVALID, {"error": str(err)}), None
    if parsed is None or not parsed.directives:
        # An empty Content-Security-Policy-Report-Only counts as absent.
        if response.non_empty("content-security-policy-report-only"):
            return Outcome(Result.NOT_IMPLEMENTED_BUT_REPORTING_ENABLED), None
        return Outcome(Result.NOT_IMPLEMENTED), None
    return _analyse(parsed, response.https), parsed


def check(response: Response) -> Outcome:
    return analyse(response)[0]
