"""golive.grader against the real HTTP Observatory scanner, on generated header sets.

Every generated site is served on loopback (tests/observatory_site.py), scanned by the
pinned npm package @mdn/mdn-http-observatory (tools/observatory, one node process for
all sites) and graded by golive.grader; every test's result, the score and the grade
must agree, or differ only in a way the package docstring lists as deliberate.

Needs node and `make tools/observatory/node_modules`, and root for ports 80/443 on
127.77.x.y. Without them it skips, or fails when CI=true so it cannot silently vanish.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass

import pytest

import golive.grader
from golive.grader import cookies as cookie_test
from golive.grader import grade_headers
from golive.grader.strict_transport_security import PASSING as HSTS_PASSING
from golive.grader.strict_transport_security import max_age_of
from tests.conftest import ROOT
from tests.observatory_cases import generate
from tests.observatory_site import OFF_HOST, PROBE_ORIGIN, LoopbackSites, Site, make_certificates

OBSERVATORY = ROOT / "tools" / "observatory"
PACKAGE = OBSERVATORY / "node_modules" / "@mdn" / "mdn-http-observatory"
REPORT = ROOT / "out" / "grader-differential.txt"
SCAN_TIMEOUT_S = 600  # a guard against a hung scanner, not a performance assertion


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not on PATH (install Node.js 20 or later)"
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        return f"node {version} is too old for the scanner (it needs 20 or later)"
    if not (PACKAGE / "package.json").exists() or not (PACKAGE / "conf" / "hsts-preload.json").exists():
        return "the Observatory scanner is not installed; run `make tools/observatory/node_modules`"
    if os.geteuid() != 0:
        return "serving the sites on ports 80 and 443 needs root"
    return None


def _require() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"the differential grader test cannot run in CI: {reason}")
    pytest.skip(reason)


@dataclass(frozen=True)
class Scan:
    site: Site
    observatory: dict  # {score, grade, tests: {name: {result, scoreModifier, pass}}} or {error}


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> list[Scan]:
    _require()
    sites = generate()
    folder = tmp_path_factory.mktemp("observatory")
    ca, cert, key = make_certificates(folder, [site.host for site in sites] + [OFF_HOST])
    try:
        served = LoopbackSites(sites, cert, key).__enter__()
    except OSError as err:
        pytest.fail(f"cannot serve the sites on 127.77.x.y ports 80/443 ({err}); is another server using them?")
    try:
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca), "OBSERVATORY_CONCURRENCY": "16"}
        done = subprocess.run(
            ["node", str(OBSERVATORY / "scan.mjs")],
            input=json.dumps([site.host for site in sites]),
            capture_output=True,
            text=True,
            env=env,
            timeout=SCAN_TIMEOUT_S,
            cwd=OBSERVATORY,
        )
    finally:
        served.__exit__(None, None, None)
    assert done.returncode == 0, f"the scanner failed: {done.stderr[-2000:]}"
    results = json.loads(done.stdout)
    return [Scan(site, results[site.host]) for site in sites]


def ours(site: Site) -> golive.grader.Grade:
    return grade_headers(
        site.header_map(),
        https=True,
        redirects=site.chain(),
        cookies=site.cookies,
        cors_origin_probe=PROBE_ORIGIN,
        body=site.body,
        host=site.host,
    )


def _max_age_not_a_number(site: Site) -> bool:
    value = site.header_map().get("strict-transport-security", "")
    parts = [p.strip().lower() for p in value.split(";")]
    return "," not in value and any(p.startswith("max-age=") and max_age_of(p[8:128]) is None for p in parts)


def deliberate(test: str, mine: str, theirs: str, site: Site, scan: dict) -> str | None:
    """The id of the documented difference that explains this one, or None."""
    headers = site.header_map()
    if (
        test == "cross-origin-resource-sharing"
        and mine == "cross-origin-resource-sharing-implemented-with-universal-access"
        and theirs == "cross-origin-resource-sharing-implemented-with-public-access"
        and headers.get("access-control-allow-origin", "").strip() == "*"
        and headers.get("access-control-allow-credentials", "").strip().lower() == "true"
    ):
        return "cors-wildcard-with-credentials"
    if (
        test == "cross-origin-resource-sharing"
        and mine == "cross-origin-resource-sharing-implemented-with-universal-access"
        and theirs == "cross-origin-resource-sharing-implemented-with-restricted-access"
        and headers.get("access-control-allow-origin") == PROBE_ORIGIN
        and headers.get("access-control-allow-credentials", "").strip().lower() == "true"
    ):
        return "cors-reflected-origin-with-credentials"
    if test == "strict-transport-security" and (mine, theirs) == (
        "hsts-preloaded",
        "hsts-implemented-max-age-at-least-six-months",
    ):
        return "hsts-preload-not-checked"
    if _max_age_not_a_number(site):
        if test == "strict-transport-security" and mine == "hsts-header-invalid":
            return "hsts-max-age-not-a-number"
        their_hsts = scan["tests"]["strict-transport-security"]["result"]
        regraded = cookie_test.grade_cookies(site.cookies, hsts=their_hsts in {str(r) for r in HSTS_PASSING})
        if test == "cookies" and str(regraded.result) == theirs:
            return "hsts-max-age-not-a-number"
    return None


@dataclass
class Tally:
    agree: Counter
    deliberate: Counter
    undocumented: list

    def line(self, name: str, total: int) -> str:
        return f"  {name:32s} {self.agree[name]:4d} agree of {total}, {self.deliberate[name]:3d} deliberate"


def compare(scans: list[Scan]) -> tuple[Tally, Counter]:
    tally = Tally(Counter(), Counter(), [])
    ids: Counter = Counter()
    for scan in scans:
        if "error" in scan.observatory:
            tally.undocumented.append(f"{scan.site.name}: the scanner said {scan.observatory['error']}")
            continue
        grade = ours(scan.site)
        explained = True
        for m in grade.modifiers:
            theirs = scan.observatory["tests"][m.test]["result"]
            if m.result == theirs:
                tally.agree[m.test] += 1
            elif reason := deliberate(m.test, m.result, theirs, scan.site, scan.observatory):
                tally.deliberate[m.test] += 1
                ids[reason] += 1
            else:
                explained = False
                tally.undocumented.append(
                    f"{scan.site.name} {m.test}: ours {m.result}, Observatory {theirs}; {scan.site}"
                )
        for key, mine in (("score", grade.score), ("grade", grade.grade)):
            if mine == scan.observatory[key]:
                tally.agree[key] += 1
            elif explained:
                tally.deliberate[key] += 1
            else:
                tally.undocumented.append(f"{scan.site.name} {key}: ours {mine}, Observatory {scan.observatory[key]}")
    return tally, ids


def test_grader_agrees_with_the_observatory_scanner(scans: list[Scan]):
    tally, ids = compare(scans)
    names = [test.NAME for test in golive.grader.TESTS] + ["score", "grade"]
    lines = [f"grader vs HTTP Observatory scanner on {len(scans)} generated sites:"]
    lines += [tally.line(name, len(scans)) for name in names]
    lines += [f"  deliberate difference {key}: {count}" for key, count in sorted(ids.items())]
    lines += [f"  undocumented differences: {len(tally.undocumented)}"]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines + tally.undocumented) + "\n")
    print("\n".join(lines))
    assert not tally.undocumented, "\n".join(tally.undocumented[:30])


def test_every_difference_the_test_accepts_is_in_the_package_docstring():
    doc = golive.grader.__doc__ or ""
    for key in golive.grader.DELIBERATE_DIFFERENCES:
        assert f"  - {key}:" in doc, key


def test_the_sites_cover_what_the_grader_once_got_wrong():
    sites = generate()
    assert len(sites) >= 200
    assert any("," in s.header_map().get("content-security-policy", "") for s in sites)
    assert any(s.header_map().get("x-frame-options") == "" for s in sites)
    assert any(len({n.lower() for n, _ in s.headers}) < len(s.headers) for s in sites)  # a header sent twice
    assert any(len(s.cookies) != len({c.split("=")[0] for c in s.cookies}) for s in sites)  # one cookie set twice
    assert any(len(s.chain()) > 2 for s in sites)  # a redirect chain of more than one hop
    assert any(_max_age_not_a_number(s) for s in sites)
