"""`nurture profiles list|lint`: the import profiles (vendors' layouts) there are, and whether each is right."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nurture.cli.common import print_json
from nurture.intake.profiles import (
    available_profiles,
    find_profile_file,
    lint_profile,
    own_dir,
    profile_files,
)

app = typer.Typer(no_args_is_help=True)


def out(text: str) -> None:
    # Not rich: a profile's text may hold [brackets] that rich would read as markup.
    typer.echo(text)


@app.command("list")
def list_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the profiles as a JSON list.")] = False,
) -> None:
    """The profiles an import can use: the shipped ones and the business's own (NURTURE_PROFILES_DIR)."""
    profiles = available_profiles()
    if as_json:
        print_json([p.as_dict() for p in profiles])
        return
    for profile in profiles:
        source = "shipped" if profile.shipped else str(profile.path)
        out(f"{profile.name}  ({profile.vendor}; {source})")
        out(f"    detects: {', '.join(profile.detect)}")
    folder = own_dir()
    loaded = {p.path for p in profiles}
    left_out = [p for p in profile_files() if folder is not None and p.parent == folder and p not in loaded]
    for path in left_out:
        out(f"{path}: left out, it has problems (nurture profiles lint {path})")
    if folder is None:
        out("(the business's own profiles: set NURTURE_PROFILES_DIR to a folder of .yaml files)")
    elif not folder.is_dir():
        out(f"NURTURE_PROFILES_DIR is {folder}, which is not a folder: no profiles of the business's own are read")


@app.command("lint")
def lint_cmd(
    names: Annotated[list[str] | None, typer.Argument(
        help="Profile names or paths of .yaml files (default: every available profile).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as a JSON list.")] = False,
) -> None:
    """Check profiles: every problem with its file, line and key; exit 1 if any profile has one."""
    checked: list[tuple[str, Path | None, list[str]]] = []
    if names:
        for name in names:
            path = find_profile_file(name)
            problems = lint_profile(path) if path else [f"{name}: no such profile (nurture profiles list)"]
            checked.append((name, path, problems))
    else:
        checked = [(path.stem, path, lint_profile(path)) for path in profile_files()]
    if as_json:
        print_json([{"profile": name, "path": str(path) if path else None, "ok": not problems,
                     "problems": problems} for name, path, problems in checked])
    else:
        for name, path, problems in checked:
            out(f"ok     {name} ({path})" if not problems else f"FAILED {name} ({path or 'not found'})")
            for problem in problems:
                out(f"    {problem}")
    if any(problems for _, _, problems in checked):
        raise typer.Exit(1)
