"""`make bench-instructions` reads callgrind's own count of the instructions a run executed."""

from __future__ import annotations

import pytest

from bench.cold_instructions import collected_instructions

CALLGRIND_END = """==4242== Callgrind, a call-graph generating cache profiler
==4242== Events    : Ir
==4242== Collected : 1391700469
==4242==
==4242== I   refs:      1,391,700,469
"""


def test_the_count_is_callgrinds_collected_line() -> None:
    assert collected_instructions(CALLGRIND_END) == 1_391_700_469


def test_a_run_without_a_count_is_an_error_not_zero() -> None:
    with pytest.raises(RuntimeError, match="no instruction count"):
        collected_instructions("==1== Callgrind, a call-graph generating cache profiler\n")
