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

The other eight traversals (values, names, functions, the update itself, key and type checks)
stay, each walking the tree once; ``traverse`` is moto's ``DepthFirstTraverser.traverse`` with
one difference: the node types a traversal processes are looked up once, not at every node
(``nodes_to_be_processed`` builds the processor's map again per call: a third of a walk). Every
processor's map is a literal of fixed classes, so the answer is the same each time.

``install()`` puts both in place in this process (the tests' in-process moto and the local run's
moto server). ``changes()`` says whether moto is still the version this was written against,
with the same code the argument relies on (the validators and their processors, the node
classes and their traversal, the parser that makes the tree's shape, the duplicate and overlap
finders); if not, ``install()`` leaves moto's traversals in place (slower, never wrong): review
this module, then update ``REVIEWED``.
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
# SHA-256 of the source of each moto module or function the argument above relies on (the node
# classes and the traversal are ast_nodes', the processors validators'), as reviewed for MOTO_VERSION.
REVIEWED = {
    "moto.dynamodb.parsing.validators": "345c1740c0c674a72a5ed56f5ea01ba385ccb69a1bf21f8c134b389d9b41a3e3",
    "moto.dynamodb.parsing.ast_nodes": "ab97413e907e4054c861e7c91b5f1cde6d56a702ddc58b720d275caec351cfe4",
    "find_path_overlaps": "8e5b1fc9eb7e1e5f7c684fcd331f756b7cd34931b64ebaab870908033ebd45cc",
    "find_duplicates": "1561dfd832faa7c524273e4c7abd07637e8d7023594c2f4a80d13affa1d8507e",
    "moto.dynamodb.parsing.expressions": "fc933923742bf9b0cd01c926890f68200078025abe88f159f5e255b2072b4fa8",
}
_SOURCES: dict[str, Any] = {
    "moto.dynamodb.parsing.validators": validators,
    "moto.dynamodb.parsing.ast_nodes": ast_nodes,
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
    """Validate update expressions with ``traverse`` and ``traverse_root_first`` in this process;
    False (and moto's traversals stay) when moto is not the reviewed one."""
    if changes():
        return False
    DepthFirstTraverser.traverse = traverse
    for validator in ROOT_FIRST:
        validator.traverse = traverse_root_first
    return True


def traverse(processor: DepthFirstTraverser, root: Node) -> Node:
    """moto's ``DepthFirstTraverser.traverse`` (``traverse_node_recursively``, Apache-2.0,
    Getmoto), with the processed node types looked up once."""
    processed = processor.nodes_to_be_processed()
    before_child = processor.pre_processing_of_child

    def visit(node: Any, child_id: int = -1) -> Any:
        if isinstance(node, Node):
            parent_node = node.parent
            if node.children is not None:
                for i, child_node in enumerate(node.children):
                    before_child(node, i)
                    visit(child_node, i)
            if isinstance(node, processed):
                node = processor.process(node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
        return node

    return visit(root)


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
