"""Generated header sets for the differential test: a fixed seed, so every run serves the same ones.

The pools lean on what the grader once got wrong: CSP values with commas and empty
pieces, headers sent twice, empty values, odd max-age values, several Set-Cookie
lines for one cookie, and redirect chains of more than one hop.
"""

from __future__ import annotations

import random

from tests.observatory_site import HTTP_MODES, REFLECT, Site, host_for

SEED = 20261201
COUNT = 240

CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Each entry is the list of Content-Security-Policy lines sent (several lines = a repeated header).
CSP = [
    [],
    [""],
    ["default-src 'none'"],
    ["default-src 'none'; frame-ancestors 'none'"],
    [CONSOLE_CSP],
    ["default-src 'none'", "frame-ancestors 'none'"],
    ["default-src 'none'; frame-ancestors 'none'", "default-src 'none'; frame-ancestors 'none'"],
    ["default-src 'self', script-src 'unsafe-inline'"],
    ["default-src 'none',"],
    [", default-src 'none'"],
    ["default-src 'none', ,"],
    ["default-src 'none'; script-src 'self', img-sr"],
    ["default-src 'self'; script-src 'self' 'unsafe-inline'"],
    ["default-src 'none'; script-src 'nonce-r4nd0m' 'unsafe-inline'; frame-ancestors 'none'"],
    ["script-src 'nonce-abc' 'unsafe-inline' 'strict-dynamic' https:; object-src 'none'"],
    ["script-src 'strict-dynamic'; object-src 'none'; frame-ancestors 'self'"],
    ["default-src 'nonce-x' 'strict-dynamic' http:; frame-ancestors 'none'"],
    ["default-src 'self'; img-src http://img.example"],
    ["default-src 'self'; script-src http://cdn.example"],
    ["default-src 'self'; script-src 'self' 'unsafe-eval'"],
    ["default-src 'none'; report-uri /a; report-uri /b"],
    ["default-src 'none'; report-uri /a; report-uri http://r.example"],
    ["default-src 'none'; script-src 'self'; script-src 'none'"],
    [";;;;;;"],
    ["img-sr"],
    ["a"],
    ["default-src *"],
    ["default-src https:; object-src 'none'"],
    ["default-src 'self'; style-src 'self' data:; object-src 'none'"],
    ["DEFAULT-SRC 'NONE'; FRAME-ANCESTORS 'NONE'"],
    ["upgrade-insecure-requests"],
    ["default-src 'self'; frame-ancestors 'self'; object-src 'none'"],
    ["script-src 'self'; object-src 'none'"],
    ["default-src 'self' https: http:; object-src 'none'"],
    ["default-src 'none'; script-src"],
    ["default-src 'none'; script-src 'sha256-abc' 'unsafe-inline'; style-src 'unsafe-inline'"],
    ["frame-ancestors 'none'"],
    ["default-src 'self'; script-src https://a.example https://a.example/x; object-src 'none'"],
]
CSP_REPORT_ONLY = [[], [], [], [""], ["default-src 'none'"]]
HSTS = [
    [],
    [""],
    ["max-age=31536000"],
    ["max-age=31536000; includeSubDomains"],
    ["max-age=31536000; includeSubDomains"],
    ["max-age=63072000; includeSubDomains; preload"],
    ["max-age=300"],
    ["max-age=15552000"],
    ["max-age=15551999"],
    ["max-age=abc"],
    ['max-age="31536000"'],
    ["max-age=12abc"],
    ["max-age=-1"],
    ["max-age = 31536000"],
    ["max-age=0"],
    ["includeSubDomains"],
    ["max-age=31536000", "max-age=31536000"],
    ["max-age=31536000, max-age=300"],
    ["MAX-AGE=31536000; INCLUDESUBDOMAINS"],
    ["max-age=31536000;"],
    ["max-age=99999999999999999999"],
    ["max-age=300; max-age=31536000"],
    ["max-age="],
]
XCTO = [
    [],
    [""],
    ["nosniff"],
    ["nosniff"],
    ["NoSniff"],
    ["  nosniff  "],
    ["sniff"],
    ["nosniff", "nosniff"],
    ["nosniff, nosniff"],
]
XFO = [
    [],
    [""],
    ["DENY"],
    ["DENY"],
    ["sameorigin"],
    ["ALLOW-FROM https://a.example"],
    ["ALLOWALL"],
    ["DENY", "DENY"],
    ["DENY, SAMEORIGIN"],
]
REFERRER = [
    [],
    [""],
    ["no-referrer"],
    ["strict-origin-when-cross-origin"],
    ["unsafe-url"],
    ["no-referrer, unsafe-url"],
    ["unsafe-url, strict-origin-when-cross-origin"],
    ["bogus"],
    ["origin,bogus"],
    ["no-referrer", "unsafe-url"],
    ["same-origin", "same-origin"],
]
CORP = [
    [],
    [""],
    ["same-origin"],
    ["same-site"],
    ["cross-origin"],
    ["Same-Origin"],
    ["bogus"],
    ["same-origin", "same-origin"],
]
# (Access-Control-Allow-Origin lines, Access-Control-Allow-Credentials lines)
CORS = [
    ([], []),
    ([], []),
    ([""], []),
    (["*"], []),
    (["*"], ["true"]),
    (["https://app.example"], []),
    (["https://app.example"], ["true"]),
    ([REFLECT], []),
    ([REFLECT], ["true"]),
    ([REFLECT], ["TRUE"]),
    ([REFLECT], ["true", "true"]),
    (["*", "*"], []),
]
COOKIES = [
    "sessionid=a; Secure; HttpOnly; SameSite=Lax",
    "sessionid=b",
    "theme=dark; SameSite=Lax",
    "theme=dark; Secure; SameSite=Lax",
    "csrftoken=x; Secure",
    "csrftoken=x; Secure; SameSite=Strict",
    "theme=dark; Secure; SameSite=Sometimes",
    "theme=dark; Secure; SameSite=",
    "theme=dark; Secure; SameSite",
    "a=b; SameSite=None",
    "a=b; Secure; SameSite=None",
    "heroku-session-affinity=x",
    "Heroku-Session-Affinity=x",
    "noequals",
    "=novalue; Secure",
    "__Secure-id=1",
    "__Secure-id=1; Secure; SameSite=Lax",
    "__Host-id=1; Secure; Path=/; SameSite=Lax",
    "__Host-id=1; Secure; Path=/app",
    "sessionid=gone; Max-Age=0",
    "loginToken=1; Secure; HttpOnly; SameSite=Strict; Path=/",
    "x=1; Path=/a; Secure; SameSite=Lax",
    "x=1; Secure; SameSite=Lax",
    "SameSite=bogus",
    "login=1; secure; httponly; samesite=lax=1",
    "Sess=1; Secure; SameSite=Lax",
    "sessionid=c; Secure; HttpOnly; SameSite=Strict; Max-Age=-5",
    "sessionid=d; Secure; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
]
# Pairs that set one cookie twice: a browser (and the scanner's jar) keeps the last.
COOKIE_PAIRS = [
    ["sessionid=b", "sessionid=a; Secure; HttpOnly; SameSite=Lax"],
    ["sessionid=a; Secure; HttpOnly; SameSite=Lax", "sessionid=b"],
    ["csrftoken=x; Secure", "csrftoken=x; Secure; SameSite=Strict"],
    ["theme=dark; Secure; SameSite=Sometimes", "theme=dark; Secure; SameSite=Lax"],
    ["x=1; Path=/a", "x=1; Secure; SameSite=Lax"],
]
BODIES = [
    ("", ""),
    ("", ""),
    ("application/json", "{}"),
    ("text/html", ""),
    ("text/html; charset=utf-8", "<p>hello</p>"),
    ("text/html", '<script src="/app.js"></script>'),
    ("text/html", '<script src="/app.js" integrity="sha384-abc"></script>'),
    ("text/html", '<script src="https://cdn.example.com/x.js"></script>'),
    (
        "text/html",
        '<script src="https://cdn.example.com/x.js" integrity="sha384-abc" crossorigin="anonymous"></script>',
    ),
    ("text/html", '<script src="http://cdn.example.com/x.js"></script>'),
    ("text/html", '<script src="http://cdn.example.com/x.js" integrity="sha384-abc"></script>'),
    ("text/html", '<script src="//cdn.example.com/x.js"></script>'),
    ("text/html", "<script>inline()</script>"),
    ("application/xhtml+xml", '<html xmlns="http://www.w3.org/1999/xhtml"><body></body></html>'),
]
HTTP = list(HTTP_MODES) + ["redirect"] * 6


def _lines(name: str, values: list[str]) -> list[tuple[str, str]]:
    return [(name, value) for value in values]


def _site(rng: random.Random, index: int) -> Site:
    acao, credentials = rng.choice(CORS)
    headers = (
        _lines("Content-Security-Policy", rng.choice(CSP))
        + _lines("Content-Security-Policy-Report-Only", rng.choice(CSP_REPORT_ONLY))
        + _lines("Strict-Transport-Security", rng.choice(HSTS))
        + _lines("X-Content-Type-Options", rng.choice(XCTO))
        + _lines("X-Frame-Options", rng.choice(XFO))
        + _lines("Referrer-Policy", rng.choice(REFERRER))
        + _lines("Cross-Origin-Resource-Policy", rng.choice(CORP))
        + _lines("Access-Control-Allow-Origin", acao)
        + _lines("Access-Control-Allow-Credentials", credentials)
    )
    content_type, body = rng.choice(BODIES)
    if content_type:
        headers.append(("Content-Type", content_type))
    rng.shuffle(headers)
    roll = rng.random()
    cookies = rng.choice(COOKIE_PAIRS) if roll < 0.2 else rng.sample(COOKIES, rng.randint(0, 4)) if roll < 0.7 else []
    return Site(
        name=f"case-{index:03d}",
        headers=tuple(headers),
        cookies=tuple(cookies),
        http=rng.choice(HTTP),
        body=body,
        host=host_for(index),
    )


def generate(count: int = COUNT, seed: int = SEED) -> list[Site]:
    rng = random.Random(seed)
    return [_site(rng, index) for index in range(count)]
