"""The README's "Deploying for real" commands are the ones docs/deploy.md describes: every `pulumi`
command names only flags its Pulumi CLI reference page lists, a fresh backend gets the stack
created before it is selected, and no secret value is ever written on a command line."""

from __future__ import annotations

import re
import shlex

from tests.conftest import ROOT

CLI = "https://www.pulumi.com/docs/iac/cli/commands/"
INHERITED = {"--color", "-C", "--cwd", "--non-interactive", "-v", "--verbose"}
# The flags each command's reference page lists (the page is cited in docs/deploy.md).
DOCUMENTED: dict[tuple[str, ...], tuple[str, set[str]]] = {
    ("login",): ("pulumi_login", {"--local"}),
    ("stack", "init"): ("pulumi_stack_init", {"--secrets-provider", "--copy-config-from"}),
    ("stack", "select"): ("pulumi_stack_select", {"-c", "--create", "--secrets-provider", "-s", "--stack"}),
    ("config", "set"): (
        "pulumi_config_set",
        {"--path", "--plaintext", "--secret", "--type", "-s", "--stack", "--config-file"},
    ),
    ("preview",): ("pulumi_preview", {"-s", "--stack", "--policy-pack", "--policy-pack-config"}),
    ("up",): ("pulumi_up", {"-s", "--stack", "--policy-pack", "--policy-pack-config", "-y", "--yes"}),
    ("stack", "output"): ("pulumi_stack_output", {"-s", "--stack", "-j", "--json", "--show-secrets"}),
}


def readme_deploy_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Deploying for real", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def pulumi_commands(block: str) -> list[list[str]]:
    """Each `pulumi ...` invocation of the block (after a pipe too), as words, comments dropped."""
    found = []
    for line in block.splitlines():
        for part in line.split("|"):
            words = shlex.split(part, comments=True)
            if words[:1] == ["pulumi"]:
                found.append(words[1:])
    return found


def command_of(words: list[str]) -> tuple[str, ...]:
    for length in (2, 1):
        if tuple(words[:length]) in DOCUMENTED:
            return tuple(words[:length])
    raise AssertionError(f"`pulumi {' '.join(words)}`: not a command docs/deploy.md cites; add its page to DOCUMENTED")


def test_every_pulumi_command_in_the_readme_uses_only_documented_flags():
    commands = pulumi_commands(readme_deploy_block())
    assert len(commands) >= 6
    for words in commands:
        command = command_of(words)
        page, flags = DOCUMENTED[command]
        used = {w.split("=", 1)[0] for w in words if w.startswith("-")}
        assert used <= flags | INHERITED, f"`pulumi {' '.join(words)}`: {used - flags} not on {CLI}{page}/"


def test_docs_deploy_cites_the_reference_page_of_every_command_the_readme_runs():
    docs = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for command in {command_of(words) for words in pulumi_commands(readme_deploy_block())}:
        page = DOCUMENTED[command][0]
        if command in {("preview",), ("up",), ("stack", "output")}:
            continue  # the kit's own steps around them; docs/deploy.md cites the secrets and stack steps
        assert f"{CLI}{page}/" in docs, f"docs/deploy.md does not cite {page}"


def test_a_fresh_backend_gets_the_stack_created_before_it_is_selected():
    commands = [command_of(words) for words in pulumi_commands(readme_deploy_block())]
    assert ("stack", "init") in commands
    assert commands.index(("stack", "init")) < commands.index(("stack", "select"))
    init = next(w for w in pulumi_commands(readme_deploy_block()) if command_of(w) == ("stack", "init"))
    assert any(w.startswith("--secrets-provider") for w in init)  # a KMS key on a DIY backend, not a passphrase


def test_no_secret_value_is_given_on_a_command_line_in_the_readme_or_the_docs():
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "pulumi config set" not in line or "--secret" not in line:
                continue
            words = shlex.split(line.split("pulumi config set", 1)[1].split("<", 1)[0], comments=True)
            positional = [w for w in words if not w.startswith("-")]
            assert len(positional) <= 1, f"{path.name}: `{line.strip()}` puts the value on the command line"


def test_the_no_value_check_catches_a_value_on_the_command_line():
    line = "pulumi config set --secret --path 'objectos:secretValues.OS_DATABASE_URL' 'postgres://u:p@db/x'"
    words = shlex.split(line.split("pulumi config set", 1)[1], comments=True)
    assert len([w for w in words if not w.startswith("-")]) == 2
