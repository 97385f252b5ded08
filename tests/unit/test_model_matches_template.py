"""One table definition: the PynamoDB model must agree with template.yaml's table."""

from __future__ import annotations

from typing import Any

from gatehouse.data.models import Item, SessionItem
from gatehouse_local.template import Template, table_create_kwargs, ttl_attribute


def key_schema(schema: list[dict[str, str]]) -> dict[str, str]:
    return {entry["KeyType"]: entry["AttributeName"] for entry in schema}


def test_primary_key_matches_the_template(sam_template: Template) -> None:
    table = table_create_kwargs(sam_template, "any")
    assert key_schema(table["KeySchema"]) == {
        "HASH": next(a.attr_name for a in Item.get_attributes().values() if a.is_hash_key),
        "RANGE": next(a.attr_name for a in Item.get_attributes().values() if a.is_range_key),
    }


def test_every_index_matches_the_template(sam_template: Template) -> None:
    table = table_create_kwargs(sam_template, "any")
    template_indexes = {
        gsi["IndexName"]: key_schema(gsi["KeySchema"]) for gsi in table["GlobalSecondaryIndexes"]
    }
    model_indexes: dict[str, Any] = {}
    for index in Item._indexes.values():
        hash_key = next(a.attr_name for a in index.Meta.attributes.values() if a.is_hash_key)
        range_key = next(a.attr_name for a in index.Meta.attributes.values() if a.is_range_key)
        model_indexes[index.Meta.index_name] = {"HASH": hash_key, "RANGE": range_key}
    assert model_indexes == template_indexes
    assert {gsi["Projection"]["ProjectionType"] for gsi in table["GlobalSecondaryIndexes"]} == {"ALL"}


def test_key_attributes_are_strings_in_both(sam_template: Template) -> None:
    table = table_create_kwargs(sam_template, "any")
    declared = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
    model_attributes = Item.get_attributes()
    for name, attribute_type in declared.items():
        assert model_attributes[name].attr_type == attribute_type


def test_the_ttl_attribute_is_the_one_sessions_expire_by(sam_template: Template) -> None:
    assert ttl_attribute(sam_template) == SessionItem.expires_at.attr_name
