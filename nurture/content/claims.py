"""Banned claims in templates (Regulation O, 12 CFR 1015.3): what `templates lint` reports, from
the phrase table in nurture/law/regulation_o.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nurture.law.regulation_o import PROVIDER, REVIEWED_MARK, banned_claims, load


@dataclass(frozen=True)
class ClaimProblem:
    """One banned claim (or a review mark that does not count) on one line of a template."""

    line: int
    problem: str


def claim_problems(path: Path, *, status: str) -> list[ClaimProblem]:
    """Every banned claim in the template at `path` under NURTURE_MARS_STATUS `status`; [] when unreadable."""
    try:
        source = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # rendering reports an unreadable file
    problems = []
    for hit in banned_claims(source, status=status):
        claim = hit.claim
        fix = " (or show {{ notice.stop_paying }} beside it)" if claim.unless_disclosed else ""
        problems.append(ClaimProblem(
            hit.line,
            f"banned claim {hit.phrase!r}: {claim.why} ({claim.section}); say what usually happens and that "
            f"the lender decides{fix}",
        ))
    if not load().claims_reviewable(status):
        for number, text in enumerate(source.splitlines(), 1):
            if REVIEWED_MARK.search(text):
                problems.append(ClaimProblem(
                    number,
                    f"a claim-reviewed mark does not apply when NURTURE_MARS_STATUS is {PROVIDER!r}: a MARS "
                    "provider may not make the claim at all (12 CFR 1015.3); remove the phrase",
                ))
    return problems
