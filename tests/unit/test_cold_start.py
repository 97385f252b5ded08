"""Each function imports only what its routes use (cold starts count)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gatehouse_local.template import REPO_ROOT, load_template, routes

PROBE = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("function_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(sorted(sys.modules)))
"""
NEVER_IN_LAMBDA = {"boto3", "moto", "pytest", "gatehouse_local", "yaml"}


FUNCTIONS = {route.function_id: route.code_uri for route in routes(load_template())}


@pytest.mark.parametrize("function_id", sorted(FUNCTIONS))
def test_functions_do_not_import_boto3_or_dev_tools(function_id: str) -> None:
    code_uri = FUNCTIONS[function_id]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(code_uri / "app.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env=dict(os.environ),
    )
    top_level = {name.split(".")[0] for name in json.loads(result.stdout)}
    assert not top_level & NEVER_IN_LAMBDA
