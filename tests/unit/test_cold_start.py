"""Each function imports only what its routes use (cold starts count)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest

from gatehouse_local.template import REPO_ROOT, load_template, routes

pytestmark = pytest.mark.heavy

PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("function_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(sorted(sys.modules)))
"""
NEVER_IN_LAMBDA = {"boto3", "moto", "pytest", "gatehouse_local", "yaml"}
# Loaded by the first request that needs them (a password hash, a userpic), never by the import;
# pydantic-settings is not used at all. (Not bcrypt: here, unlike in the layer, PyJWT finds
# cryptography, whose SSH keys import it.)
NOT_AT_IMPORT = {"PIL", "passlib", "argon2", "pydantic_settings", "dotenv"}
SURFACES = ("documentarian", "goncord", "jwt_auth", "org_structure", "users_admin")


FUNCTIONS = {route.function_id: route.code_uri for route in routes(load_template())}


@functools.cache
def imported_modules(function_id: str) -> frozenset[str]:
    code_uri = FUNCTIONS[function_id]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(code_uri / "app.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env=dict(os.environ),
    )
    return frozenset(json.loads(result.stdout))


def imported_packages(function_id: str) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(function_id)}


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_functions_do_not_import_boto3_dev_tools_hashing_or_pillow(function_id: str) -> None:
    top_level = imported_packages(function_id)
    assert not top_level & NEVER_IN_LAMBDA
    assert not top_level & NOT_AT_IMPORT


def test_the_fallback_imports_the_surfaces_envelopes_and_nothing_else_of_theirs() -> None:
    """FallbackFunction answers only errors (404, 405) in the envelope of the surface that owns
    the path: it needs each surface's envelope, not the surface's views, request models or
    services; and it imports the rate limit (the table, the tokens) only with the first request
    it counts (B's unknown paths), so its cold start needs neither."""
    modules = imported_modules("FallbackFunction")
    assert {f"gatehouse.surfaces.envelopes.{name}" for name in SURFACES} <= modules
    surfaces_own = sorted(
        module
        for module in modules
        for layer in ("surfaces", "contracts", "services")
        for name in SURFACES
        if module.startswith(f"gatehouse.{layer}.{name}")
    )
    assert surfaces_own == []
    assert not {
        module
        for module in modules
        if module.startswith(("gatehouse.data", "gatehouse.security", "pynamodb", "jwt"))
    }
