"""One reading per setting type, the same from a stack file and under `pulumi up`.

`pulumi up` hands the program every value as text, so a whole-number setting takes a
YAML integer or a string of digits alike; true/false, decimals and other text are
refused with the key. Text settings are one line; Kubernetes quantities are checked.
"""

from __future__ import annotations

import pytest

from settings.errors import SettingsError
from settings.load import from_engine, validate
from tests.settings.test_settings import edited

WHOLE_NUMBERS = [
    ("kubernetes.replicas", 4),
    ("rateLimits.auth.limit", 20),
    ("rateLimits.auth.windowSeconds", 120),
    ("waf.logRetentionDays", 400),
]


def messages(edits: dict) -> dict[str, str]:
    with pytest.raises(SettingsError) as caught:
        validate(edited("prod", edits))
    return {issue.key: issue.message for issue in caught.value.issues}


@pytest.mark.parametrize(("key", "number"), WHOLE_NUMBERS)
def test_a_whole_number_reads_the_same_as_an_integer_or_as_digits(key, number):
    as_int, as_text = (validate(edited("prod", {key: value})) for value in (number, str(number)))
    assert as_int == as_text


@pytest.mark.parametrize(("key", "number"), WHOLE_NUMBERS)
def test_a_whole_number_reads_the_same_under_pulumi_up(key, number):
    config = edited("prod", {key: str(number)})
    text, secret_keys = config.engine_config()
    assert validate(from_engine("prod", text, set(secret_keys))) == validate(edited("prod", {key: number}))


@pytest.mark.parametrize("value", [True, False, 3.0, 3.5, "3.0", "1:30", "lots", "٣", " 3", "+3", "0x10", "1e3"])
@pytest.mark.parametrize(("key", "_"), WHOLE_NUMBERS)
def test_anything_else_is_refused_as_a_whole_number(key, _, value):
    message = messages({key: value})[f"objectos:{key}"]
    assert "whole number" in message or "must be" in message


def test_sexagesimal_is_never_ninety():
    message = messages({"kubernetes.replicas": "1:30"})["objectos:kubernetes.replicas"]
    assert "'1:30'" in message and "90" not in message


@pytest.mark.parametrize("amount", ["lots", "2 cores", "1.5.0", "-1", "500mi", ""])
def test_a_cpu_or_memory_that_is_not_a_kubernetes_quantity_is_refused(amount):
    found = messages({"kubernetes.resources.requests.cpu": amount, "kubernetes.resources.limits.memory": amount})
    assert "not a Kubernetes quantity" in found["objectos:kubernetes.resources.requests.cpu"]
    assert "not a Kubernetes quantity" in found["objectos:kubernetes.resources.limits.memory"]


@pytest.mark.parametrize("amount", ["500m", "2", "0.5", ".5", "1Gi", "512Mi", "1e3", "1k"])
def test_kubernetes_quantities_are_accepted(amount):
    validate(edited("prod", {"kubernetes.resources.requests.cpu": amount}))


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("headers.contentSecurityPolicy", "default-src 'none'\r\nSet-Cookie: injected=1"),
        ("domain", "app.example.com\n"),
        ("cors.origins", ["https://app.example.com\r\nX-Evil: 1"]),
        ("tags", {"team": "core\nX: y"}),
    ],
)
def test_a_text_setting_with_a_line_break_is_refused(key, value):
    found = messages({key: value})
    assert any(k.startswith(f"objectos:{key}") and "; a setting is one line" in m for k, m in found.items()), found
