"""The planner's output for 2,000 varied leads is byte-identical to the recorded golden file: speed
work on the planner must never move a planned time or change a reason (see tests/golden_plans.py)."""

from __future__ import annotations

import gzip

from golden_plans import GOLDEN, encode, timelines


def test_planned_timelines_are_byte_identical_to_the_golden_file():
    expected = gzip.decompress(GOLDEN.read_bytes()).decode().splitlines()
    got = encode(timelines()).decode().splitlines()
    assert len(got) == len(expected) == 2_000
    for n, (line, want) in enumerate(zip(got, expected, strict=True)):
        assert line == want, f"lead #{n} planned differently:\n got: {line[:600]}\nwant: {want[:600]}"
