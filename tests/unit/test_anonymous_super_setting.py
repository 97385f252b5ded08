"""AllowAnonymousSuper reaches the functions as ALLOW_ANONYMOUS_SUPER, and the setting reads it."""

from __future__ import annotations

import pytest

from gatehouse_local.template import load_template


def test_the_template_declares_the_parameter_and_feeds_it_to_every_function() -> None:
    template = load_template()
    parameter = template["Parameters"]["AllowAnonymousSuper"]
    assert parameter["Default"] == "true"
    assert parameter["AllowedValues"] == ["true", "false"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ALLOW_ANONYMOUS_SUPER"] == {"Ref": "AllowAnonymousSuper"}


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_the_setting_reads_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    from gatehouse.settings import Settings

    monkeypatch.setenv("ALLOW_ANONYMOUS_SUPER", value)
    assert Settings().allow_anonymous_super is expected
