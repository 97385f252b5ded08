"""moto's update-expression validation, with its two whole-expression checks made once.

moto 5.2.5 validates an ``UpdateExpression`` (``UpdateItem``, and every ``Update`` of a
``TransactWriteItems``) with a list of depth-first traversals of its AST. Two of them,
``ActionCountValidator`` (at most one ``SET``, ``REMOVE`` and ``ADD`` clause) and
``OverlappingPathsValidator`` (no path written twice, no path inside another), are keyed on
``UpdateExpression``, the base class of every clause, action list, action, path and value of the
tree, and each such node collects all the actions or clauses beneath it again. A ``SET`` of N
actions is a right-nested list of N levels, so the checks walk O(N²) nodes: for PynamoDB's
``SET #0 = :0, #1 = :1, …`` of a user item, ~20 ms an ``Update`` (and twice that for a new
item, which moto validates twice), most of a transaction's time.

Every node those traversals check holds a subset of the root's actions and clauses (the root
collects them all), and both checks can only fail on a subset if they fail on the whole set: a
second clause of a kind, a path equal to or inside another, an undefined name placeholder. So
``traverse_root_first`` runs the check once, on the root: when it passes, no node of the tree
can fail and moto's traversal (which changes nothing in the tree) would have passed too. When
it fails, moto's own traversal runs, so that the error is the one moto raises (bottom-up, its
first failing node may report other paths or another clause than the root would).

``install()`` puts it in place of the two validators' traversal in this process (the tests'
in-process moto and the local run's moto server). ``changes()`` says whether moto is still the
version this was written against, with the same classes the argument relies on (the two
validators, the node classes and their traversal, the expression validator's processors, the
parser that makes the tree's shape, the duplicate and overlap finders); if not, ``install()``
leaves moto's traversal in place (slower, never wrong): review this module, then update
``REVIEWED``.
"""

from __future__ import annotations

import hashlib
import inspect
from importlib import metadata
from typing import Any

from moto.dynamodb.parsing import ast_nodes, expressions, validators
from moto.dynamodb.parsing.ast_nodes import (  # type: ignore[attr-defined]  # moto's module is untyped
    DepthFirstTraverser,
    Node,
    UpdateExpression,
)
from moto.dynamodb.utils import find_duplicates, find_path_overlaps

MOTO_VERSION = "5.2.5"
# SHA-256 of the source of each moto class, function or module the argument above relies on (the
# node classes and the traversal are ast_nodes'), as reviewed for MOTO_VERSION.
REVIEWED = {
    "ActionCountValidator": "3fe995f04a9c4a2d1edcdef932cbdcb8781c9229148d2475c63d8ede6e17f528",
    "OverlappingPathsValidator": "27f48a77a1762303e8de34cb7b9b58020e972805e470c03dfd500fb5b4b8f20f",
    "moto.dynamodb.parsing.ast_nodes": "ab97413e907e4054c861e7c91b5f1cde6d56a702ddc58b720d275caec351cfe4",
    "Validator": "550a62418ff7b2242ad2fc622e9ae0ecf318e74895eacf6e647bb9a1909aacc0",
    "UpdateExpressionValidator": "331b3222d0267489d70885ff11b4dabeec8e2c68deafe44c673c8a3f15e8abd2",
    "find_path_overlaps": "8e5b1fc9eb7e1e5f7c684fcd331f756b7cd34931b64ebaab870908033ebd45cc",
    "find_duplicates": "1561dfd832faa7c524273e4c7abd07637e8d7023594c2f4a80d13affa1d8507e",
    "moto.dynamodb.parsing.expressions": "fc933923742bf9b0cd01c926890f68200078025abe88f159f5e255b2072b4fa8",
}
_SOURCES: dict[str, Any] = {
    "ActionCountValidator": validators.ActionCountValidator,
    "OverlappingPathsValidator": validators.OverlappingPathsValidator,
    "moto.dynamodb.parsing.ast_nodes": ast_nodes,
    "Validator": validators.Validator,
    "UpdateExpressionValidator": validators.UpdateExpressionValidator,
    "find_path_overlaps": find_path_overlaps,
    "find_duplicates": find_duplicates,
    "moto.dynamodb.parsing.expressions": expressions,
}
# The validators whose check, keyed on UpdateExpression, runs at every level of the tree.
ROOT_FIRST: tuple[type[DepthFirstTraverser], ...] = (
    validators.ActionCountValidator,
    validators.OverlappingPathsValidator,
)

ORIGINAL = DepthFirstTraverser.traverse


def fingerprints() -> dict[str, str]:
    """The SHA-256 of the installed source of each name in ``REVIEWED``."""
    return {
        name: hashlib.sha256(inspect.getsource(source).encode()).hexdigest()
        for name, source in _SOURCES.items()
    }


def changes() -> list[str]:
    """What differs from the reviewed moto: empty when ``traverse_root_first`` is exact."""
    installed = metadata.version("moto")
    if installed != MOTO_VERSION:
        return [f"moto {installed} (reviewed: {MOTO_VERSION})"]
    return sorted(name for name, digest in fingerprints().items() if digest != REVIEWED[name])


def install() -> bool:
    """Validate update expressions with ``traverse_root_first`` in this process; False (and
    moto's traversal stays) when moto is not the reviewed one."""
    if changes():
        return False
    for validator in ROOT_FIRST:
        validator.traverse = traverse_root_first
    return True


def traverse_root_first(validator: DepthFirstTraverser, node: Node) -> Node:
    """What moto's ``validator.traverse(node)`` returns or raises, checking the root alone when
    the root passes (see the module's docstring)."""
    if isinstance(node, UpdateExpression):
        try:
            validator.process(node)
        except Exception:
            # Lower in the tree, moto's traversal may fail first, and differently: let it say how.
            return ORIGINAL(validator, node)
        return node
    return ORIGINAL(validator, node)
