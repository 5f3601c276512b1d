"""The overall verify deadline (`--deadline`): slow but valid redirects or a trickling server
cannot stretch one run past it. The check in flight when it comes fails ("cut off by the
run's deadline"); checks not reached are not judged ("deadline reached").

No wall-clock assertions: the reasons prove which bound fired.
"""

from __future__ import annotations

import json
import time
from io import StringIO

import pytest

from golive.verify import checks, command
from golive.verify.checks import FetchError, Unreached
from golive.verify.http import HttpProbe, Limits
from tests.verify_servers import (
    HOSTILE_EXPECTATIONS,
    make_pki,
    raw_server,
    redirect_to_https,
    slow_redirects,
    tls_raw_server,
    trickle,
)

# Each exchange may take 20 s and a chain 50 hops: only the run's deadline can stop these servers early.
PATIENT = Limits(connect_seconds=2.0, read_seconds=2.0, total_seconds=20.0, max_redirects=50)
EXPECTED = HOSTILE_EXPECTATIONS


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def probe(seconds: float) -> HttpProbe:
    return HttpProbe(limits=PATIENT, until=time.monotonic() + seconds, deadline_seconds=seconds)


def test_slow_valid_redirects_are_cut_at_the_run_deadline_and_later_requests_are_not_sent():
    with raw_server(slow_redirects(0.3)) as url, probe(1.0) as client:
        chain = client.fetch("GET", url + "/0", follow_redirects=True)
        later = client.fetch("GET", url + "/0")
    assert isinstance(chain, FetchError) and not isinstance(chain, Unreached)
    assert "deadline" in chain.reason and ("following redirects" in chain.reason or "cut off" in chain.reason)
    assert isinstance(later, Unreached) and later.reason.startswith("not judged: deadline reached (--deadline 1 s)")


def test_a_trickling_server_is_cut_at_the_run_deadline_not_its_own_total_limit():
    with raw_server(trickle) as url, probe(1.0) as client:
        result = client.fetch("GET", url + "/")
    assert isinstance(result, FetchError) and "cut off by the run's deadline" in result.reason


def test_a_check_the_deadline_never_reached_is_not_judged_and_one_it_cut_fails():
    unreached = Unreached(
        "https://app.example.com/", "not judged: deadline reached (--deadline 5 s) before this check ran"
    )
    cut = FetchError("https://app.example.com/", "cut off by the run's deadline (the response stalled)")
    assert checks.security_headers("/", unreached, EXPECTED).status == "not_judged"
    assert checks.cors_disallowed(unreached, "https://x.invalid").status == "not_judged"
    assert checks.security_headers("/", cut, EXPECTED).status == "fail"


def test_a_whole_run_against_a_trickling_edge_ends_at_its_deadline(pki, tmp_path):
    with tls_raw_server(pki.certs["good"], trickle) as https_url, raw_server(redirect_to_https(https_url)) as http_url:
        options = command.Options(
            stack="prod",
            url=https_url,
            http_url=http_url,
            ca_file=pki.ca_file,
            json_path=tmp_path / "verify.json",
            deadline_seconds=2.0,
        )
        code = command.main(options, environ={}, out=StringIO(), err=StringIO(), promise=lambda s: ({}, EXPECTED))
    findings = json.loads(options.json_path.read_text())["findings"]
    cut = [f for f in findings if "cut off by the run's deadline" in f["reason"]]
    unreached = [f for f in findings if f["reason"].startswith("not judged: deadline reached (--deadline 2 s)")]
    assert code == 1 and cut and all(f["status"] == "fail" for f in cut)
    assert unreached and all(f["status"] == "not_judged" for f in unreached)
    assert any(f["name"] == "CORS preflight from an unlisted origin" for f in unreached)  # the last HTTPS check
