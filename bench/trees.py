"""Other commits' code beside this one's, for benches that alternate them round by round: this
machine's speed drifts by two or more between hours, and alternation weighs it on both alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def run_child(tree: Path, code: str, args: Sequence[str], *, databases: int, pg: str | None,
              prefix: str = "nurture_bench") -> dict[str, Any]:
    """Run `code` (python -c) with `tree`'s `nurture` (PYTHONPATH), with `args` and then the URLs of
    `databases` new databases: PostgreSQL ones migrated by that tree's code on `pg`, else SQLite
    files (the child migrates them). The databases are dropped after; the child's last line of
    output is its figures, as JSON."""
    from bench.pg import drop_database, fresh_database

    made: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            urls = []
            for n in range(databases):
                if pg:
                    name, url = fresh_database(prefix=prefix, admin_url=pg, code=None if tree == ROOT else tree)
                    made.append(name)
                else:
                    url = f"sqlite:///{Path(tmp) / f'bench{n}.db'}"
                urls.append(url)
            done = subprocess.run([sys.executable, "-c", code, *args, *urls], cwd=tree,
                                  env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
                                  timeout=7200, check=False)
    finally:
        for name in made:
            drop_database(name, admin_url=pg or "")
    if done.returncode != 0:
        raise SystemExit(f"the child process with {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
