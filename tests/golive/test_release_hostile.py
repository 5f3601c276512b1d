"""`golive release` and `rollback` against hostile input and a hostile environment.

Credentials in artifact URLs are refused without being repeated; concurrent runs
are serialized by a lock and none is lost; a kill at any point is recovered on the
next run from the journal; special files and read-only files are refused, never
replaced.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml

from golive import release
from settings.errors import SettingsError
from settings.load import validate
from tests.conftest import STACKS
from tests.settings.test_settings import edited

DIGEST = "c" * 64
IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/objectos-enterprise@sha256:" + DIGEST
PIN = "#sha256=" + DIGEST


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    return Path(shutil.copytree(STACKS, tmp_path / "stacks"))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_release(stacks: Path, artifact: str, release_id: str = "r9", **options) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = release.release("prod", options.get("image", IMAGE), artifact, release_id, None, stacks, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


# (artifact URL, the secret it holds or None, words of the refusal)
BAD_URLS = [
    (f"https://deploy:hunter2-pass@artifacts.example.com/objectstack.json{PIN}", "hunter2-pass", "user name or password"),
    (f"https://artifacts.example.com/objectstack.json?sig=SIGsecret123{PIN}", "SIGsecret123", "query string (sig)"),
    (f"https://artifacts.example.com/objectstack.json?auth=AUTHsecret9{PIN}", "AUTHsecret9", "query string (auth)"),
    (
        "https://bucket.s3.amazonaws.com/objectstack.json?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=AKIAEXAMPLE%2F20261201&X-Amz-Signature=0badc0ffeeSIG{PIN}",
        "0badc0ffeeSIG",
        "X-Amz-Credential, X-Amz-Signature",
    ),
    (
        f"https://acct.blob.core.windows.net/c/objectstack.json?sv=2022-11-02&se=2026&sig=SASsig%2Bvalue{PIN}",
        "SASsig%2Bvalue",
        "query string (sig)",
    ),
    (f"https://artifacts.example.com/objectstack.json?token=TOKsecret77{PIN}", "TOKsecret77", "(token)"),
    (f"https://artifacts.example.com/object\nstack.json{PIN}", None, "holds a line break"),
    (f"https://artifacts.example.com/object\rstack.json{PIN}", None, "holds a carriage return"),
    (f"https://artifacts.example.com/object stack.json{PIN}", None, "holds a space"),
    (f"https:///objectstack.json{PIN}", None, "has no host"),
]


@pytest.mark.parametrize(("url", "secret", "words"), BAD_URLS)
def test_release_refuses_a_bad_artifact_url_without_repeating_its_secret(stacks, url, secret, words):
    before = tree(stacks)
    code, output = run_release(stacks, url)
    assert code == 2 and words in output, output
    if secret:
        assert secret not in output and "***" in output
    assert "\n" not in output.strip() and "\r" not in output  # the refusal is one line: nothing injected
    assert tree(stacks) == before


@pytest.mark.parametrize(("url", "secret", "words"), BAD_URLS)
def test_the_stack_file_refuses_the_same_artifact_urls(url, secret, words):
    with pytest.raises(SettingsError) as caught:
        validate(edited("prod", {"release.artifactUrl": url}))
    messages = {issue.key: issue.message for issue in caught.value.issues}
    assert words in messages["objectos:release.artifactUrl"]
    if secret:
        assert secret not in str(caught.value)


def test_an_old_history_entry_with_a_credential_is_shown_masked(stacks):
    history = stacks / "releases" / "prod.yaml"
    document = yaml.safe_load(history.read_text())
    document["releases"][0]["artifactUrl"] = f"https://a.example.com/o.json?sig=OLDsecret42{PIN}"
    history.write_text(yaml.safe_dump(document))
    entry = document["releases"][0]
    code, output = run_release(stacks, f"https://artifacts.example.com/other.json{PIN}", release_id=entry["id"])
    assert code == 2 and "already names" in output
    assert "OLDsecret42" not in output and "sig=***" in output
