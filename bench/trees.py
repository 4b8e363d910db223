"""Other commits' code beside this one's, for benches that alternate them round by round: this
machine's speed drifts by two or more between hours, and alternation weighs it on both alike."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The label of the tree the bench runs from.
THIS = "this commit"


def checkout(ref: str) -> Path:
    """A temporary work tree of `ref` (removed by the caller), for a before/after comparison."""
    where = Path(tempfile.mkdtemp(prefix="nurture-before-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(where), ref], cwd=ROOT, check=True)
    return where


def remove_checkout(where: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False)


@contextmanager
def trees(refs: Sequence[str]) -> Iterator[dict[str, Path]]:
    """{THIS: this tree, ref: its work tree, ...}; the work trees are removed on the way out, also
    on Ctrl-C (and on a `timeout` where the bench turns SIGTERM into SystemExit)."""
    found: dict[str, Path] = {THIS: ROOT}
    try:
        for ref in refs:
            found[ref] = checkout(ref)
        yield found
    finally:
        for label, tree in found.items():
            if label != THIS:
                remove_checkout(tree)


def print_ratios(figures: Mapping[str, Mapping[str, Sequence[float]]], what: str = "") -> None:
    """For each kind of figure (`figures[label][kind]`, one value a round) and each other commit:
    this commit's value over theirs, round by round."""
    for kind, base in figures[THIS].items():
        for label, theirs in figures.items():
            if label != THIS:
                ratios = ", ".join(f"{b / v:.2f}" for b, v in zip(base, theirs[kind], strict=True))
                print(f"{kind}: {THIS} / {label}{', ' + what if what else ''}, round by round: {ratios}")
