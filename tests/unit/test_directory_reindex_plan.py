"""`gatehouse directory reindex`'s plan without DynamoDB: what the index should hold is computed
from the users alone, and only what differs from the stored index is written."""

from __future__ import annotations

from gatehouse.data import directory, org
from gatehouse.data.directory import Entry
from gatehouse.data.org import Membership
from gatehouse_cli import reindex


def _stored() -> reindex.Stored:
    stored = reindex.Stored()
    for user_id, membership in ((40, Membership(1, 2, 3)), (41, Membership(1, 2)), (70, Membership())):
        stored.entries[user_id] = Entry(user_id, ("ivan", f"u{user_id}@x.kz"), membership.organization_id)
        stored.memberships[user_id] = membership
    stored.counts[org.OrganizationItem.key(9)] = 4  # an organization whose members all left
    return stored


def test_the_wanted_index_counts_every_scope_from_its_members_and_empties_the_others() -> None:
    assert directory.BLOCK == 32
    wanted = reindex.wanted(_stored())
    assert wanted.counts[reindex.POPULATION] == 3
    assert wanted.counts[org.OrganizationItem.key(1)] == 2
    assert wanted.counts[org.DepartmentItem.key(2)] == 2
    assert wanted.counts[org.PositionItem.key(3)] == 1
    assert wanted.counts[org.OrganizationItem.key(9)] == 0
    assert wanted.blocks[reindex.POPULATION] == {"b1": 2, "b2": 1}  # 40, 41 in block 1; 70 in 2
    assert wanted.blocks[org.PagesItem.department_key(2)] == {"b1": 2}
    assert wanted.blocks[org.PagesItem.position_key(3)] == {"b1": 1}
    assert wanted.heads["SEARCH#ALL#iva"] == 3
    assert wanted.heads["SEARCH#ORG#1#iva"] == 2
    assert len(wanted.postings) == sum(len(entry.tokens) for entry in _stored().entries.values())


def test_a_stored_index_that_matches_plans_no_write_and_a_drift_plans_only_its_fix() -> None:
    stored = _stored()
    wanted = reindex.wanted(stored)
    stored.postings = {key: compact for key, (compact, _, _) in wanted.postings.items()}
    stored.heads = dict(wanted.heads)
    stored.blocks = {key: dict(blocks) for key, blocks in wanted.blocks.items()}
    stored.counts = dict(wanted.counts)
    assert reindex.changes(stored, wanted) == []
    stored.heads["SEARCH#ALL#zzz"] = 2  # a token nobody has any more
    stored.blocks[org.PagesItem.key(1)]["b9"] = 1  # a block nobody is in
    stored.counts[org.DepartmentItem.key(2)] = 5
    kinds = [change.kind for change in reindex.changes(stored, wanted)]
    assert kinds == ["heads set", "blocks set", "counts set"]
