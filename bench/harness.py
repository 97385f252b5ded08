"""The counting sections' AWS: moto inside the section's process, as the tests use it.

A call costs about a third of a call to the moto server (no HTTP on either side), and the
counts (DynamoDB calls, partition keys written) are the same: the same moto, with the same
reviewed changes, answering one call at a time as the server does
(gatehouse_local.embedded_aws.InProcessAws), its tables sorted as moto sorts them, only faster
(bench.moto_order).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bench import moto_order
from gatehouse_local.embedded_aws import MotoAws
from gatehouse_local.template import load_template
from gatehouse_local.testing import embedded_aws_session, harness_environment, patched_environ


@contextmanager
def in_process_aws(work_dir: Path, parameter_overrides: Mapping[str, str] | None = None) -> Iterator[MotoAws]:
    """The functions' local environment applied and moto started in this process, until exit."""
    moto_order.install()
    template = load_template()
    environment = harness_environment(template, work_dir, parameter_overrides=parameter_overrides)
    with (
        patched_environ(environment),
        embedded_aws_session(work_dir, template, environment["TABLE_NAME"], in_process=True) as aws,
    ):
        yield aws
