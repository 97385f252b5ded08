"""EMF metric lines as CloudWatch reads them from a function's captured stdout."""

from __future__ import annotations

import json


def emf_metrics(stdout: str) -> dict[str, float]:
    """Sum of each EMF metric in the captured output (one JSON object a line)."""
    totals: dict[str, float] = {}
    for line in stdout.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = json.loads(line)
        assert blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Gatehouse"
        for definition in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            name = definition["Name"]
            assert definition["Unit"] == "Count"
            values = blob[name] if isinstance(blob[name], list) else [blob[name]]
            totals[name] = totals.get(name, 0) + sum(values)
    return totals
