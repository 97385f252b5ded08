"""`Item._instantiate` (one pass over the item with a per-class plan) builds exactly what
PynamoDB's own builds.

Every item class of the data layer is read from raw items holding every attribute, none of
them, NULLs and wrong types; the class, the attribute values (not their order, which nothing
reads: the directory export sorts them) and the errors must be PynamoDB's.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from pynamodb.attributes import Attribute, AttributeContainer, DiscriminatorAttribute

import gatehouse.data
from gatehouse.data.groups import GroupItem
from gatehouse.data.models import (
    BooleanAttribute,
    DirectRead,
    IntegerAttribute,
    Item,
    JSONAttribute,
    ListAttribute,
    SessionItem,
    UnicodeAttribute,
    UserItem,
)

for module in pkgutil.iter_modules(gatehouse.data.__path__):
    importlib.import_module(f"gatehouse.data.{module.name}")


def item_classes() -> list[type[Item]]:
    found: list[type[Item]] = []
    pending: list[type[Item]] = [Item]
    while pending:
        item_class = pending.pop()
        found.append(item_class)
        pending.extend(item_class.__subclasses__())
    return sorted(found, key=lambda item_class: item_class.__name__)


SAMPLES: dict[type[Attribute[Any]], Any] = {
    UnicodeAttribute: "Ünïcode text",
    IntegerAttribute: 42,
    BooleanAttribute: False,  # the opposite of every boolean default
    JSONAttribute: {"a": [1, "b", None], "nested": {"x": True}},
    ListAttribute: ["first", "second"],
}


def raw_value(attribute: Attribute[Any]) -> dict[str, Any]:
    sample = SAMPLES[type(attribute)]
    return {attribute.attr_type: attribute.serialize(sample)}


def raw_item(item_class: type[Item], *, every_attribute: bool) -> dict[str, dict[str, Any]]:
    raw: dict[str, dict[str, Any]] = {"PK": {"S": "PK#1"}, "SK": {"S": "SK#1"}}
    discriminator = item_class._get_discriminator_attribute()
    value = discriminator.get_discriminator(item_class) if discriminator else None
    if value is not None:
        raw["entity"] = {"S": value}
    if every_attribute:
        for attribute in item_class.get_attributes().values():
            if not isinstance(attribute, DiscriminatorAttribute):
                raw[attribute.attr_name] = raw_value(attribute)
    return raw


def pynamodb_reads(item_class: type[Item], raw: dict[str, dict[str, Any]]) -> Any:
    return AttributeContainer._instantiate.__func__(item_class, raw)  # type: ignore[attr-defined]


def outcome(read: Any) -> tuple[Any, ...]:
    """What a read gives: the class and the values, or the error's type and text."""
    try:
        item = read()
    except Exception as error:  # compared, not swallowed: both sides must raise alike
        return ("raised", type(error), str(error))
    return ("built", type(item), item.attribute_values)


def assert_same_reading(item_class: type[Item], raw: dict[str, dict[str, Any]]) -> None:
    ours = outcome(lambda: item_class._instantiate(raw))
    theirs = outcome(lambda: pynamodb_reads(item_class, raw))
    assert ours == theirs


@pytest.mark.parametrize("item_class", item_classes(), ids=lambda item_class: item_class.__name__)
@pytest.mark.parametrize("every_attribute", [True, False], ids=["every attribute", "keys only"])
def test_an_item_reads_as_pynamodb_reads_it(item_class: type[Item], every_attribute: bool) -> None:
    assert_same_reading(item_class, raw_item(item_class, every_attribute=every_attribute))


@pytest.mark.parametrize("item_class", item_classes(), ids=lambda item_class: item_class.__name__)
def test_nulls_and_wrong_types_read_as_pynamodb_reads_them(item_class: type[Item]) -> None:
    for attribute in item_class.get_attributes().values():
        if isinstance(attribute, DiscriminatorAttribute):
            continue
        for odd in ({"NULL": True}, {}, {"BOOL": True} if attribute.attr_type != "BOOL" else {"S": "x"}):
            raw = {**raw_item(item_class, every_attribute=True), attribute.attr_name: odd}
            assert_same_reading(item_class, raw)


def test_the_base_class_reads_each_entity_as_its_own_class() -> None:
    for item_class in item_classes():
        raw = raw_item(item_class, every_attribute=True)
        assert type(Item._instantiate(raw)) is item_class
        assert_same_reading(Item, raw)


def test_an_unknown_or_foreign_entity_is_refused_as_pynamodb_refuses_it() -> None:
    unknown = {**raw_item(UserItem, every_attribute=False), "entity": {"S": "no_such_entity"}}
    assert outcome(lambda: UserItem._instantiate(unknown))[0] == "raised"
    assert_same_reading(UserItem, unknown)
    foreign = raw_item(SessionItem, every_attribute=True)
    assert outcome(lambda: UserItem._instantiate(foreign))[0] == "raised"
    assert_same_reading(UserItem, foreign)


def test_reads_do_not_share_mutable_defaults() -> None:
    first = GroupItem._instantiate(raw_item(GroupItem, every_attribute=False))
    second = GroupItem._instantiate(raw_item(GroupItem, every_attribute=False))
    assert first.permissions == []
    assert first.permissions is not second.permissions


@pytest.mark.parametrize("item_class", item_classes(), ids=lambda item_class: item_class.__name__)
def test_every_attribute_reads_directly_as_pynamodb_reads_it(item_class: type[Item]) -> None:
    for every_attribute in (True, False):
        item = item_class._instantiate(raw_item(item_class, every_attribute=every_attribute))
        for name, attribute in item_class.get_attributes().items():
            if isinstance(attribute, DiscriminatorAttribute):
                continue
            assert isinstance(attribute, DirectRead), f"{item_class.__name__}.{name} reads through PynamoDB"
            assert getattr(item, name) == Attribute.__get__(attribute, item, item_class), name
            assert getattr(item_class, name) is attribute
