"""Statistics of an A/B test: a confidence interval per variant, the sample size a difference needs,
and whether a winner may be declared. Pure functions: counts in, a verdict with its reason out.

A winner is declared only when every variant has at least MIN_SAMPLE sends, each has the sample the
observed difference needs (two-sided 5 % significance, 80 % power), and the difference is
significant (two-proportion z-test). Anything less is "not yet", with how many more sends it takes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: z for a two-sided 95 % interval and a 5 % significance level.
Z_95 = 1.959963984540054
#: z for 80 % power.
Z_POWER_80 = 0.8416212335729143
#: No verdict below this many sends per variant, whatever the numbers say: early results swing.
MIN_SAMPLE = 100


def wilson(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a rate (95 % by default); (0, 1) when n is 0. Unlike p +- 1.96 SE
    it stays inside [0, 1] and is honest about 0 of 12."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n} is not a rate")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends, not 1e-17 off
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def sample_size(p1: float, p2: float, *, z_alpha: float = Z_95, z_power: float = Z_POWER_80) -> int | None:
    """Sends per variant needed to tell rates p1 and p2 apart (two-sided); None when they are equal
    (no difference to detect)."""
    if p1 == p2:
        return None
    mean = (p1 + p2) / 2
    numerator = (z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_power * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2
    return math.ceil(numerator / (p1 - p2) ** 2)


def z_score(a_successes: int, a_n: int, b_successes: int, b_n: int) -> float:
    """The two-proportion z statistic (pooled); 0 when it cannot be computed."""
    if a_n == 0 or b_n == 0:
        return 0.0
    pooled = (a_successes + b_successes) / (a_n + b_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a_n + 1 / b_n))
    return 0.0 if se == 0 else (a_successes / a_n - b_successes / b_n) / se


@dataclass(frozen=True)
class Arm:
    """One variant: how many sends, how many of them succeeded (a click, a reply)."""

    name: str
    successes: int
    n: int

    @property
    def rate(self) -> float | None:
        return self.successes / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.successes, self.n)


@dataclass(frozen=True)
class Verdict:
    """The test's state: the leader so far, the winner (only when the data allow), how many more
    sends each variant needs, and why, in words."""

    leader: str | None
    winner: str | None
    needed_per_arm: int | None  # sends per variant the observed difference needs; None: no difference
    more: dict[str, int]  # sends still needed per variant (0: enough)
    reason: str


def compare(arms: list[Arm], *, min_sample: int = MIN_SAMPLE) -> Verdict:
    """Leader against runner-up: a winner only on enough data and a significant difference."""
    if len(arms) < 2:
        return Verdict(None, None, None, {}, "one variant: nothing to compare")
    ranked = sorted(arms, key=lambda a: (a.rate if a.rate is not None else -1.0, a.n), reverse=True)
    best, second = ranked[0], ranked[1]
    leader = best.name if best.rate is not None and best.successes > 0 else None
    needed = sample_size(best.rate or 0.0, second.rate or 0.0) if best.n and second.n else None
    target = max(min_sample, needed or 0)
    more = {a.name: max(0, target - a.n) for a in arms}
    if any(a.n < min_sample for a in arms):
        return Verdict(leader, None, needed, more,
                       f"too little data: every variant needs at least {min_sample} sends before any verdict")
    if needed is None or leader is None:
        return Verdict(leader, None, None, more, "no difference between the variants so far")
    if any(a.n < needed for a in (best, second)):
        return Verdict(leader, None, needed, more,
                       f"not yet: a difference this size needs {needed:,} sends per variant")
    if abs(z_score(best.successes, best.n, second.successes, second.n)) < Z_95:
        return Verdict(leader, None, needed, more, "no significant difference (5 % level)")
    return Verdict(leader, best.name, needed, more,
                   f"{best.name} wins: significant at the 5 % level with enough sends")
