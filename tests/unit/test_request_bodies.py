"""gatehouse.web.body: form field names nest the way PHP (Laravel) and Plug (Phoenix) read them."""

from __future__ import annotations

import pytest

from gatehouse.web.body import MAX_FIELD_DEPTH, UnreadableBody, nest_fields


def test_plain_fields_stay_flat_and_the_last_repeat_wins() -> None:
    assert nest_fields([("name", "a"), ("email", "b"), ("name", "c")]) == {"name": "c", "email": "b"}


def test_empty_brackets_build_a_list() -> None:
    assert nest_fields([("roles[]", "hr"), ("roles[]", "it")]) == {"roles": ["hr", "it"]}


def test_named_brackets_build_objects() -> None:
    fields = [("apps[http://a][theme]", "dark"), ("apps[http://a][lang]", "ru"), ("apps[http://b][x]", "1")]

    assert nest_fields(fields) == {
        "apps": {"http://a": {"theme": "dark", "lang": "ru"}, "http://b": {"x": "1"}}
    }


def test_an_object_keyed_0_to_n_is_a_list() -> None:
    fields = [("roles[0][name]", "hr"), ("roles[1][name]", "it")]

    assert nest_fields(fields) == {"roles": [{"name": "hr"}, {"name": "it"}]}


def test_gaps_in_the_indexes_keep_an_object() -> None:
    assert nest_fields([("a[0]", "x"), ("a[2]", "y")]) == {"a": {"0": "x", "2": "y"}}


def test_top_level_numeric_names_stay_fields() -> None:
    assert nest_fields([("0", "x"), ("1", "y")]) == {"0": "x", "1": "y"}


def test_names_that_are_not_bracket_paths_are_kept_as_they_are() -> None:
    assert nest_fields([("[x]", "1"), ("a[", "2")]) == {"[x]": "1", "a[": "2"}


def test_a_name_nested_too_deep_is_unreadable() -> None:
    with pytest.raises(UnreadableBody):
        nest_fields([("a" + "[b]" * MAX_FIELD_DEPTH, "1")])
