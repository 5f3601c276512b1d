"""Grade HTTP response headers the way Mozilla's HTTP Observatory does.

Pure functions, standard library only, no I/O: the caller fetches the response
and passes its headers here.

Scoring follows the current scanner, mdn/mdn-http-observatory:
  - src/grader/charts.js        SCORE_TABLE (modifiers), GRADE_CHART, MINIMUM_SCORE_FOR_EXTRA_CREDIT
  - src/scanner/index.js        baseline 100, bonus rule, floor at 0
  - src/analyzer/tests/*.js     the rule behind each result
  - src/analyzer/cspParser.js   CSP parsing
The legacy mozilla/http-observatory (httpobs/docs/scoring.md,
httpobs/scanner/grader/grade.py) has the same grade chart, bonus threshold and
modifier values.

Where this module differs from the Observatory (on purpose):
  - `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`
    gets the universal-access penalty (-50). The Observatory scores it as public access (0),
    because browsers refuse that combination, but it always means a misconfigured endpoint.
  - "hsts-preloaded" (+5) is given when the header meets the preload-list rules; whether
    the domain is actually on the list is not checked, and the reason says so.
  - "redirection-not-tested" (0) applies when the redirect check was not run.
  - Subresource Integrity is not graded: that needs the HTML body, not headers.
  - Only response headers are read; <meta http-equiv> policies are not seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "BASELINE_SCORE",
    "GRADE_BANDS",
    "MINIMUM_SCORE_FOR_EXTRA_CREDIT",
    "SCORE_TABLE",
    "Grade",
    "Modifier",
    "grade_for",
    "grade_headers",
]


@dataclass(frozen=True)
class Modifier:
    test: str  # e.g. "content-security-policy", "cors", "cookies"
    result: str  # Observatory result name, e.g. "hsts-not-implemented"
    score: int  # the modifier from SCORE_TABLE, e.g. -20, 0, +5
    reason: str  # one sentence a person can act on


@dataclass(frozen=True)
class Grade:
    score: int
    grade: str  # "A+", "A", ..., "F"
    modifiers: tuple[Modifier, ...]


BASELINE_SCORE = 100
# Bonuses count only when the score with penalties alone is already an A.
MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90

# (lowest score in band, grade), highest band first. Same bands as the
# Observatory's GRADE_CHART, which is keyed by multiples of 5.
GRADE_BANDS: tuple[tuple[int, str], ...] = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
)


def grade_for(score: int) -> str:
    """Letter grade for a score; anything below 0 is an F, like the Observatory's floor at 0."""
    for lowest, grade in GRADE_BANDS:
        if score >= lowest:
            return grade
    return GRADE_BANDS[-1][1]


# result name -> (modifier, reason template). Modifiers are the Observatory's;
# templates are filled with str.format from the check's findings.
SCORE_TABLE: dict[str, tuple[int, str]] = {
    # Content Security Policy
    "csp-implemented-with-no-unsafe-default-src-none": (
        10,
        "CSP sets default-src 'none' and allows no unsafe sources; keep allowing only what each page needs.",
    ),
    "csp-implemented-with-no-unsafe": (
        5,
        "CSP has no unsafe script sources; set default-src 'none' and allow sources per directive to earn +10.",
    ),
    "csp-implemented-with-unsafe-inline-in-style-src-only": (
        0,
        "CSP allows unsafe or broad style sources ({sources}); move inline styles into files or use nonces/hashes to earn +5.",
    ),
    "csp-implemented-with-insecure-scheme-in-passive-content-only": (
        -10,
        "CSP lets images or media load over plain HTTP ({sources}); change those sources to https.",
    ),
    "csp-implemented-with-unsafe-eval": (
        -10,
        "CSP allows 'unsafe-eval'; remove eval()-style code, then remove 'unsafe-eval' from the policy.",
    ),
    "csp-implemented-with-unsafe-inline": (
        -20,
        "CSP does not restrict scripts or plugins ({problem}); remove 'unsafe-inline', data: and broad sources from script-src and set object-src 'none'.",
    ),
    "csp-implemented-with-insecure-scheme": (
        -20,
        "CSP allows active content over plain HTTP or FTP ({sources}); switch those sources to https.",
    ),
    "csp-implemented-but-duplicate-directives": (
        0,
        "CSP repeats {directives}, which costs the policy its bonus; remove the duplicates.",
    ),
    "csp-header-invalid": (
        -25,
        "Content-Security-Policy cannot be parsed ({error}); fix the syntax.",
    ),
    "csp-not-implemented": (
        -25,
        "No Content-Security-Policy header; add one, starting from default-src 'none' and allowing only what the app needs.",
    ),
    "csp-not-implemented-but-reporting-enabled": (
        -25,
        "Only Content-Security-Policy-Report-Only is set, which blocks nothing; send the policy as Content-Security-Policy once its reports are clean.",
    ),
    # Cookies
    "cookies-not-found": (0, "No cookies are set, so there is nothing to protect."),
    "cookies-secure-with-httponly-sessions-and-samesite": (
        5,
        "All cookies are Secure, session cookies are HttpOnly, and every cookie sets SameSite.",
    ),
    "cookies-secure-with-httponly-sessions": (
        0,
        "Cookies are Secure and session cookies HttpOnly, but {names} lack SameSite; add SameSite=Lax or Strict to earn +5.",
    ),
    "cookies-without-secure-flag-but-protected-by-hsts": (
        -5,
        "Cookie(s) {names} lack the Secure flag (HSTS limits the exposure); add Secure.",
    ),
    "cookies-session-without-secure-flag-but-protected-by-hsts": (
        -10,
        "Session cookie(s) {names} lack the Secure flag (HSTS limits the exposure); add Secure.",
    ),
    "cookies-without-secure-flag": (
        -20,
        "Cookie(s) {names} lack the Secure flag or were set over plain HTTP; add Secure and serve them over HTTPS with HSTS.",
    ),
    "cookies-samesite-flag-invalid": (
        -20,
        "Cookie(s) {names} have an unrecognised SameSite value, or SameSite=None without Secure; use SameSite=Lax or Strict.",
    ),
    "cookies-anticsrf-without-samesite-flag": (
        -20,
        "Anti-CSRF cookie(s) {names} lack SameSite; add SameSite=Lax or Strict.",
    ),
    "cookies-session-without-httponly-flag": (
        -30,
        "Session cookie(s) {names} lack HttpOnly, so an injected script can steal them; add HttpOnly.",
    ),
    "cookies-session-without-secure-flag": (
        -40,
        "Session cookie(s) {names} lack Secure or were set over plain HTTP; add Secure and serve them over HTTPS with HSTS.",
    ),
    # Cross-origin resource sharing
    "cross-origin-resource-sharing-not-implemented": (
        0,
        "No Access-Control-Allow-Origin header, so other sites cannot read this content.",
    ),
    "cross-origin-resource-sharing-implemented-with-public-access": (
        0,
        "Access-Control-Allow-Origin is '*' without credentials, so any site can read this content; make sure it holds nothing private.",
    ),
    "cross-origin-resource-sharing-implemented-with-restricted-access": (
        0,
        "Access-Control-Allow-Origin is limited to {origin}{note}.",
    ),
    "cross-origin-resource-sharing-implemented-with-universal-access": (
        -50,
        "{problem}; when credentials are needed allow only a fixed list of trusted origins, otherwise drop Access-Control-Allow-Credentials.",
    ),
    # Redirection
    "redirection-to-https": (0, "Plain HTTP redirects to HTTPS on the same host at the first hop."),
    "redirection-missing": (
        -20,
        "Plain HTTP does not redirect to HTTPS; answer http:// requests with a 301 to the same host on https://.",
    ),
    "redirection-not-tested": (
        0,
        "The HTTP-to-HTTPS redirect was not tested, so it scored 0; run the redirect check (the Observatory takes 20 points if it is missing).",
    ),
    # Referrer-Policy
    "referrer-policy-private": (5, "Referrer-Policy '{policy}' keeps full URLs from leaking to other sites."),
    "referrer-policy-not-implemented": (
        0,
        "No Referrer-Policy header; set strict-origin-when-cross-origin or stricter to earn +5.",
    ),
    "referrer-policy-unsafe": (
        -5,
        "Referrer-Policy '{policy}' sends URLs or origins to other sites; use strict-origin-when-cross-origin or stricter.",
    ),
    "referrer-policy-header-invalid": (
        -5,
        "Referrer-Policy '{value}' holds no recognised policy; set strict-origin-when-cross-origin or stricter.",
    ),
    # Strict-Transport-Security
    "hsts-preloaded": (
        5,
        "HSTS meets the preload rules (max-age={max_age}, includeSubDomains, preload), but preload-list membership was not checked; confirm the domain at hstspreload.org.",
    ),
    "hsts-implemented-max-age-at-least-six-months": (
        0,
        "HSTS max-age={max_age} is at least six months; to qualify for the preload list also set {missing}.",
    ),
    "hsts-implemented-max-age-less-than-six-months": (
        -10,
        "HSTS max-age={max_age} is under six months (15552000 s); raise it, e.g. to 31536000.",
    ),
    "hsts-not-implemented": (
        -20,
        "No Strict-Transport-Security header; send 'max-age=31536000; includeSubDomains' on HTTPS responses.",
    ),
    "hsts-header-invalid": (
        -20,
        "Strict-Transport-Security cannot be recognised ({error}); send one header with a numeric max-age.",
    ),
    "hsts-not-implemented-no-https": (
        -20,
        "The response came over plain HTTP, where browsers ignore Strict-Transport-Security; serve the site over HTTPS and send HSTS there.",
    ),
    # X-Content-Type-Options
    "x-content-type-options-nosniff": (0, "X-Content-Type-Options is nosniff, so browsers will not MIME-sniff responses."),
    "x-content-type-options-not-implemented": (
        -5,
        "No X-Content-Type-Options header; add 'X-Content-Type-Options: nosniff'.",
    ),
    "x-content-type-options-header-invalid": (
        -5,
        "X-Content-Type-Options '{value}' is not nosniff; set it to exactly nosniff.",
    ),
    # X-Frame-Options
    "x-frame-options-implemented-via-csp": (
        5,
        "Framing is controlled by CSP frame-ancestors ({sources}), which supersedes X-Frame-Options.",
    ),
    "x-frame-options-sameorigin-or-deny": (
        0,
        "X-Frame-Options is {value}; also set CSP frame-ancestors to earn +5.",
    ),
    "x-frame-options-allow-from-origin": (
        0,
        "X-Frame-Options uses ALLOW-FROM, which current browsers ignore; use CSP frame-ancestors instead.",
    ),
    "x-frame-options-not-implemented": (
        -20,
        "Nothing stops other sites framing this page (clickjacking); add CSP frame-ancestors 'none' (or 'self') and X-Frame-Options: DENY.",
    ),
    "x-frame-options-header-invalid": (
        -20,
        "X-Frame-Options '{value}' cannot be recognised; use DENY or SAMEORIGIN, or CSP frame-ancestors.",
    ),
    # Cross-Origin-Resource-Policy
    "corp-implemented-with-same-origin": (
        10,
        "Cross-Origin-Resource-Policy same-origin stops other origins from embedding these responses.",
    ),
    "corp-implemented-with-same-site": (
        10,
        "Cross-Origin-Resource-Policy same-site stops other sites from embedding these responses.",
    ),
    "corp-implemented-with-cross-origin": (
        0,
        "Cross-Origin-Resource-Policy cross-origin lets any site embed these responses; use same-origin or same-site unless they are meant to be public.",
    ),
    "corp-not-implemented": (
        0,
        "No Cross-Origin-Resource-Policy header (browsers default to cross-origin); set same-origin or same-site to earn +10.",
    ),
    "corp-header-invalid": (
        -5,
        "Cross-Origin-Resource-Policy '{value}' is not same-origin, same-site or cross-origin; fix the value.",
    ),
}


def _modifier(test: str, result: str, **findings: object) -> Modifier:
    score, template = SCORE_TABLE[result]
    return Modifier(test=test, result=result, score=score, reason=template.format(**findings))


def _normalise(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case names; repeated names (differing only in case) are joined with ', '."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key, text = name.strip().lower(), str(value).strip()
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def _values(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _single_value(value: str) -> str:
    """One header value; repeats of the same value count as one (browsers treat them so),
    conflicting values come back joined so the caller reports them as invalid."""
    distinct = list(dict.fromkeys(part.lower() for part in _values(value)))
    return distinct[0] if len(distinct) == 1 else ", ".join(distinct)


def _quote(sources: Iterable[str]) -> str:
    return " ".join(sorted(sources))


# --- Content Security Policy -------------------------------------------------

_DANGEROUSLY_BROAD = frozenset(
    {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
)
_UNSAFE_INLINE = frozenset({"'unsafe-inline'", "data:"})
_BROAD_OR_INLINE = _DANGEROUSLY_BROAD | _UNSAFE_INLINE
_PASSIVE_DIRECTIVES = ("img-src", "media-src")
_NONCE_HASH_PREFIXES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
_CSP_MIN_POLICY_LENGTH = len("img-src") - 1  # the Observatory's shortest acceptable policy
_CSP_ALLOWED_DUPLICATES = frozenset({"report-uri", "report-to"})
_ANY = frozenset({"*"})
_NONE = frozenset({"'none'"})


class CspParseError(ValueError):
    """The Content-Security-Policy header cannot be parsed."""


@dataclass(frozen=True)
class ParsedCsp:
    directives: dict[str, frozenset[str]]
    duplicates: frozenset[str]  # allowed duplicates (report-uri/report-to) seen


def parse_csp(header: str) -> ParsedCsp:
    """Parse one or more comma-separated policies into directive -> sources.

    Like the Observatory, a repeated directive makes the policy invalid (except
    report-uri/report-to). With several policies the browser enforces all of them,
    so a source survives only if every policy setting that directive allows it.
    """
    merged: dict[str, frozenset[str]] = {}
    duplicates: set[str] = set()
    for policy in (p.replace("\r", "").replace("\n", "").strip() for p in header.split(",")):
        if len(policy) < _CSP_MIN_POLICY_LENGTH:
            raise CspParseError(f"policy {policy!r} is empty or too short")
        seen: set[str] = set()
        for entry in policy.split(";"):
            tokens = entry.split()
            if not tokens:
                continue
            name = tokens[0].lower()
            if name in seen:
                if name not in _CSP_ALLOWED_DUPLICATES:
                    raise CspParseError(f"directive {name} appears twice")
                duplicates.add(name)
                continue  # the browser uses the first one
            seen.add(name)
            sources = frozenset(token.lower() for token in tokens[1:])
            merged[name] = merged[name] & sources if name in merged else sources
    # An empty source list means 'none' (as in the Observatory's parser).
    return ParsedCsp({name: srcs or _NONE for name, srcs in merged.items()}, frozenset(duplicates))


def _has_nonce_or_hash(sources: Iterable[str]) -> bool:
    return any(s.startswith(_NONCE_HASH_PREFIXES) for s in sources)


def _effective(csp: Mapping[str, frozenset[str]], directive: str) -> frozenset[str]:
    return csp.get(directive) or csp.get("default-src") or _ANY


def _insecure(sources: Iterable[str]) -> set[str]:
    return {s for s in sources if s.startswith(("http:", "ftp:"))}


def _unsafe_script_problem(
    csp: Mapping[str, frozenset[str]], script_src: frozenset[str], object_src: frozenset[str]
) -> str:
    problems = []
    if not {"script-src", "default-src"} & csp.keys():
        problems.append("no script-src or default-src")
    elif bad := script_src & _BROAD_OR_INLINE:
        problems.append(f"script-src allows {_quote(bad)}")
    if not {"object-src", "default-src"} & csp.keys():
        problems.append("no object-src or default-src")
    elif bad := object_src & _DANGEROUSLY_BROAD:
        problems.append(f"object-src allows {_quote(bad)}")
    return "; ".join(problems)


def _analyse_csp(csp: Mapping[str, frozenset[str]], https: bool) -> tuple[str, dict[str, str]]:
    """First failing rule wins, in the Observatory's order. Returns (result, findings)."""
    script_src = _effective(csp, "script-src")
    style_src = _effective(csp, "style-src")
    object_src = _effective(csp, "object-src")

    # A nonce or hash makes browsers ignore 'unsafe-inline' (it is kept only for old browsers).
    if _has_nonce_or_hash(script_src):
        script_src = script_src - {"'unsafe-inline'"}
    if _has_nonce_or_hash(style_src):
        style_src = style_src - {"'unsafe-inline'"}

    if "'strict-dynamic'" in script_src:
        if not _has_nonce_or_hash(script_src):
            return "csp-header-invalid", {"error": "'strict-dynamic' needs a nonce or hash in script-src"}
        # With 'strict-dynamic' browsers ignore host/scheme sources, 'self' and 'unsafe-inline'.
        script_src = frozenset(
            s
            for s in script_src
            if s not in ("'self'", "'unsafe-inline'") and not s.startswith(tuple(_DANGEROUSLY_BROAD))
        )

    active = {s for d, srcs in csp.items() if d not in _PASSIVE_DIRECTIVES and d != "script-src" for s in srcs}
    active |= script_src
    passive = {s for d in _PASSIVE_DIRECTIVES for s in (csp.get(d) or csp.get("default-src") or ())}

    if script_src & _BROAD_OR_INLINE or object_src & _DANGEROUSLY_BROAD:
        return "csp-implemented-with-unsafe-inline", {"problem": _unsafe_script_problem(csp, script_src, object_src)}
    if https and (bad := _insecure(active)):
        return "csp-implemented-with-insecure-scheme", {"sources": _quote(bad)}
    if "'unsafe-eval'" in script_src | style_src:
        return "csp-implemented-with-unsafe-eval", {}
    if https and (bad := _insecure(passive)):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", {"sources": _quote(bad)}
    if bad := style_src & _BROAD_OR_INLINE:
        return "csp-implemented-with-unsafe-inline-in-style-src-only", {"sources": _quote(bad)}
    if csp.get("default-src") == _NONE:
        return "csp-implemented-with-no-unsafe-default-src-none", {}
    return "csp-implemented-with-no-unsafe", {}


# Results after which the Observatory reports duplicate report-uri/report-to instead.
_CSP_PASSING = frozenset(
    {
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    }
)


def _check_csp(h: Mapping[str, str], https: bool) -> tuple[Modifier, ParsedCsp | None]:
    test = "content-security-policy"
    header = h.get("content-security-policy")
    if header is None:
        if h.get("content-security-policy-report-only"):
            return _modifier(test, "csp-not-implemented-but-reporting-enabled"), None
        return _modifier(test, "csp-not-implemented"), None
    try:
        parsed = parse_csp(header)
    except CspParseError as err:
        return _modifier(test, "csp-header-invalid", error=str(err)), None
    result, findings = _analyse_csp(parsed.directives, https)
    if result in _CSP_PASSING and parsed.duplicates:
        result, findings = "csp-implemented-but-duplicate-directives", {"directives": _quote(parsed.duplicates)}
    return _modifier(test, result, **findings), parsed


# --- Strict-Transport-Security -----------------------------------------------

# 15768000 s is six months, but the Observatory accepts the common 15552000 (180 days).
HSTS_SIX_MONTHS = 15_552_000
HSTS_PRELOAD_MIN_AGE = 31_536_000  # hstspreload.org requires at least one year
_MAX_AGE = re.compile(r'max-age\s*=\s*"?(\d+)"?')

# HSTS results that count as "HSTS protects the cookies".
_HSTS_PASSING = frozenset({"hsts-implemented-max-age-at-least-six-months", "hsts-preloaded"})


def _check_hsts(h: Mapping[str, str], https: bool) -> Modifier:
    test = "strict-transport-security"
    header = h.get("strict-transport-security")
    if not https:
        return _modifier(test, "hsts-not-implemented-no-https")
    if header is None:
        return _modifier(test, "hsts-not-implemented")
    if "," in header:
        return _modifier(test, "hsts-header-invalid", error="the header is sent more than once")
    max_age: int | None = None
    directives: set[str] = set()
    for part in (p.strip().lower() for p in header.split(";")):
        if part.startswith("max-age"):
            match = _MAX_AGE.fullmatch(part)
            if match is None:
                return _modifier(test, "hsts-header-invalid", error=f"max-age is not a number: {part!r}")
            max_age = int(match.group(1))
        elif part:
            directives.add(part)
    if max_age is None:
        return _modifier(test, "hsts-header-invalid", error="max-age is missing")
    if max_age < HSTS_SIX_MONTHS:
        return _modifier(test, "hsts-implemented-max-age-less-than-six-months", max_age=max_age)
    missing = _preload_gaps(max_age, directives)
    if not missing:
        return _modifier(test, "hsts-preloaded", max_age=max_age)
    return _modifier(test, "hsts-implemented-max-age-at-least-six-months", max_age=max_age, missing=", ".join(missing))


def _preload_gaps(max_age: int, directives: set[str]) -> list[str]:
    """What the header still lacks for hstspreload.org (empty when it qualifies)."""
    gaps = [] if max_age >= HSTS_PRELOAD_MIN_AGE else [f"max-age>={HSTS_PRELOAD_MIN_AGE}"]
    gaps += [name for name in ("includeSubDomains", "preload") if name.lower() not in directives]
    return gaps


# --- Simple single-header tests ----------------------------------------------


def _check_x_content_type_options(h: Mapping[str, str]) -> Modifier:
    test = "x-content-type-options"
    header = h.get("x-content-type-options")
    if header is None:
        return _modifier(test, "x-content-type-options-not-implemented")
    # Browsers read only the first value (Fetch spec), so "nosniff, nosniff" still counts.
    first = (_values(header) or [""])[0]
    if first.lower() == "nosniff":
        return _modifier(test, "x-content-type-options-nosniff")
    return _modifier(test, "x-content-type-options-header-invalid", value=header)


def _check_x_frame_options(h: Mapping[str, str], csp: ParsedCsp | None) -> Modifier:
    test = "x-frame-options"
    # frame-ancestors overrides X-Frame-Options in browsers, so it decides the result.
    if csp is not None and "frame-ancestors" in csp.directives:
        return _modifier(test, "x-frame-options-implemented-via-csp", sources=_quote(csp.directives["frame-ancestors"]))
    header = h.get("x-frame-options")
    if header is None:
        return _modifier(test, "x-frame-options-not-implemented")
    value = _single_value(header)
    if value in ("deny", "sameorigin"):
        return _modifier(test, "x-frame-options-sameorigin-or-deny", value=value.upper())
    if value.startswith("allow-from"):
        return _modifier(test, "x-frame-options-allow-from-origin")
    return _modifier(test, "x-frame-options-header-invalid", value=header)


_REFERRER_PRIVATE = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
_REFERRER_UNSAFE = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def _check_referrer_policy(h: Mapping[str, str]) -> Modifier:
    test = "referrer-policy"
    header = h.get("referrer-policy")
    if header is None:
        return _modifier(test, "referrer-policy-not-implemented")
    # Browsers apply the last policy they recognise (it allows fallbacks for old browsers).
    known = [v.lower() for v in _values(header) if v.lower() in _REFERRER_PRIVATE + _REFERRER_UNSAFE]
    policy = known[-1] if known else ""
    if policy in _REFERRER_PRIVATE:
        return _modifier(test, "referrer-policy-private", policy=policy)
    if policy in _REFERRER_UNSAFE:
        return _modifier(test, "referrer-policy-unsafe", policy=policy)
    return _modifier(test, "referrer-policy-header-invalid", value=header)


_CORP_RESULTS = {
    "same-origin": "corp-implemented-with-same-origin",
    "same-site": "corp-implemented-with-same-site",
    "cross-origin": "corp-implemented-with-cross-origin",
}


def _check_corp(h: Mapping[str, str]) -> Modifier:
    test = "cross-origin-resource-policy"
    header = h.get("cross-origin-resource-policy")
    if header is None:
        return _modifier(test, "corp-not-implemented")
    result = _CORP_RESULTS.get(_single_value(header), "corp-header-invalid")
    return _modifier(test, result, value=header)


def _check_redirection(redirects_to_https: bool | None) -> Modifier:
    result = {True: "redirection-to-https", False: "redirection-missing", None: "redirection-not-tested"}
    return _modifier("redirection", result[redirects_to_https])


# --- CORS ---------------------------------------------------------------------


def _same_origin(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def _check_cors(h: Mapping[str, str], probe: str | None) -> Modifier:
    test = "cors"
    acao = h.get("access-control-allow-origin")
    if acao is None:
        return _modifier(test, "cross-origin-resource-sharing-not-implemented")
    credentials = h.get("access-control-allow-credentials", "").strip().lower() == "true"
    reflected = probe is not None and _same_origin(acao, probe)
    if acao.strip() == "*":
        if credentials:
            problem = (
                "Access-Control-Allow-Origin '*' is sent with Access-Control-Allow-Credentials: true, "
                "which browsers reject and which shows credentialed CORS is being opened to every site"
            )
            return _modifier(test, "cross-origin-resource-sharing-implemented-with-universal-access", problem=problem)
        return _modifier(test, "cross-origin-resource-sharing-implemented-with-public-access")
    if reflected and credentials:
        problem = (
            f"Access-Control-Allow-Origin echoes the untrusted probe origin {probe} with "
            "Access-Control-Allow-Credentials: true, so any site can read responses with the user's cookies"
        )
        return _modifier(test, "cross-origin-resource-sharing-implemented-with-universal-access", problem=problem)
    note = (
        " (it echoed the untrusted probe origin, which is harmless only while Access-Control-Allow-Credentials stays off)"
        if reflected
        else ""
    )
    return _modifier(test, "cross-origin-resource-sharing-implemented-with-restricted-access", origin=acao.strip(), note=note)


# --- Cookies ------------------------------------------------------------------

# Best to worst, as the Observatory ranks them (its order, not strictly by modifier).
_COOKIE_SEVERITY = (
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
)
_IGNORED_COOKIES = frozenset({"heroku-session-affinity"})  # the Observatory skips it
_SAMESITE_VALUES = frozenset({"strict", "lax", "none"})


@dataclass(frozen=True)
class _Cookie:
    name: str
    secure: bool
    http_only: bool
    same_site: str | None  # "strict" / "lax" / "none", or None when absent or unrecognised
    same_site_invalid: bool  # SameSite given but empty or unrecognised


def _parse_cookie(raw: str) -> _Cookie | None:
    first, *attributes = raw.split(";")
    name = first.split("=", 1)[0].strip() if "=" in first else ""
    if not name or name.lower() in _IGNORED_COOKIES:
        return None
    flags: dict[str, str] = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        flags[key.strip().lower()] = value.strip().lower()
    same_site = flags.get("samesite")
    return _Cookie(
        name=name,
        secure="secure" in flags,
        http_only="httponly" in flags,
        same_site=same_site if same_site in _SAMESITE_VALUES else None,
        same_site_invalid=same_site is not None and same_site not in _SAMESITE_VALUES,
    )


def _cookie_findings(cookie: _Cookie, *, https: bool, hsts: bool) -> list[str]:
    name = cookie.name.lower()
    session = "login" in name or "sess" in name
    anti_csrf = "csrf" in name
    # A cookie set over plain HTTP travels in clear whatever its flags say.
    secure = cookie.secure and https
    found = []
    if cookie.same_site_invalid or (not secure and cookie.same_site == "none"):
        found.append("cookies-samesite-flag-invalid")
    if not secure:
        found.append("cookies-without-secure-flag-but-protected-by-hsts" if hsts else "cookies-without-secure-flag")
    if anti_csrf and cookie.same_site is None:
        found.append("cookies-anticsrf-without-samesite-flag")
    if session and not secure:
        found.append(
            "cookies-session-without-secure-flag-but-protected-by-hsts" if hsts else "cookies-session-without-secure-flag"
        )
    if session and not cookie.http_only:
        found.append("cookies-session-without-httponly-flag")
    return found


def _check_cookies(raw_cookies: Sequence[str], *, https: bool, hsts: bool) -> Modifier:
    test = "cookies"
    cookies = [c for c in map(_parse_cookie, raw_cookies) if c is not None]
    if not cookies:
        return _modifier(test, "cookies-not-found")
    findings = [(result, c.name) for c in cookies for result in _cookie_findings(c, https=https, hsts=hsts)]
    if findings:
        worst = max((result for result, _ in findings), key=_COOKIE_SEVERITY.index)
        names = ", ".join(sorted({name for result, name in findings if result == worst}))
        return _modifier(test, worst, names=names)
    no_same_site = sorted(c.name for c in cookies if c.same_site is None)
    if no_same_site:
        return _modifier(test, "cookies-secure-with-httponly-sessions", names=", ".join(no_same_site))
    return _modifier(test, "cookies-secure-with-httponly-sessions-and-samesite")


# --- Putting it together ------------------------------------------------------


def _with_bonus_note(modifier: Modifier, uncurved: int) -> Modifier:
    note = (
        f" (Bonus not counted: the score before bonuses is {uncurved}, "
        f"below the {MINIMUM_SCORE_FOR_EXTRA_CREDIT} needed.)"
    )
    return Modifier(modifier.test, modifier.result, modifier.score, modifier.reason + note)


def grade_headers(
    headers: Mapping[str, str],
    *,
    https: bool = True,
    redirects_to_https: bool | None = None,
    cookies: Sequence[str] = (),
    cors_origin_probe: str | None = None,
) -> Grade:
    """Grade a response's headers like the HTTP Observatory.

    headers: response headers, any name case; repeated values may be joined with ", ".
    https: the response came over HTTPS (HSTS over plain HTTP is ignored by browsers).
    redirects_to_https: True if http:// redirects to https:// on the same host at the
        first hop, False if it does not, None if not tested (scored 0).
    cookies: raw Set-Cookie values (not read from `headers`: joined Set-Cookie is ambiguous).
    cors_origin_probe: the Origin sent with the request, to spot a reflected origin.

    The score starts at 100; penalties always count, bonuses only when the score with
    penalties alone is at least 90. The score never goes below 0.
    """
    h = _normalise(headers)
    csp_modifier, csp = _check_csp(h, https)
    hsts_modifier = _check_hsts(h, https)
    modifiers = (
        csp_modifier,
        _check_cookies(cookies, https=https, hsts=hsts_modifier.result in _HSTS_PASSING),
        _check_cors(h, cors_origin_probe),
        _check_redirection(redirects_to_https),
        _check_referrer_policy(h),
        hsts_modifier,
        _check_x_content_type_options(h),
        _check_x_frame_options(h, csp),
        _check_corp(h),
    )
    uncurved = BASELINE_SCORE + sum(m.score for m in modifiers if m.score < 0)
    if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT:
        score = BASELINE_SCORE + sum(m.score for m in modifiers)
    else:
        score = uncurved
        modifiers = tuple(_with_bonus_note(m, uncurved) if m.score > 0 else m for m in modifiers)
    score = max(score, 0)
    return Grade(score=score, grade=grade_for(score), modifiers=modifiers)
