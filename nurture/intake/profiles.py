"""Import profiles: a vendor's CSV layout (ATTOM, DealMachine, BatchData, a county's records) mapped
to the intake's fields, as data: nurture/intake/profiles/*.yaml and the business's own in
NURTURE_PROFILES_DIR (docs/profiles.md). Loading checks a profile whole and compiles it
(profile_reader.py); mapping a row then only looks its cells up. Pure: no database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from nurture.config import get_settings
from nurture.intake.profile_reader import (
    RECORD_FIELDS,
    Cell,
    Profile,
    ProfileError,
    fold,
    read_profile,
)
from nurture.intake.profile_values import read_date, read_money, split_name, title_case
from nurture.content.languages import parse as parse_language
from nurture.intake.schema import FieldError, LeadIn
from nurture.text_rules import shown

__all__ = ["ContactIn", "Detection", "MappedRow", "Profile", "ProfileError", "available_profiles", "detect",
           "find_profile_file", "lint_profile", "load_profile", "map_row", "own_dir", "profile_files",
           "shipped_profiles"]

log = logging.getLogger("nurture.intake.profiles")

SHIPPED_DIR = Path(__file__).resolve().parent / "profiles"
"""The profiles nurture ships, one .yaml file each."""
_MISSING = object()
_BINDINGS_MAX = 8
"""Headers a profile remembers how to read (an import has one)."""


class ContactIn(NamedTuple):
    """One phone or email of a row, as the vendor gave it (the import normalises and validates it).
    A tuple of plain values: a list's rows carry five each, and the collector need not track them."""

    kind: Literal["phone", "email"]
    value: str
    phone_type: str
    dnc: bool
    litigator: bool
    name: str
    position: int


@dataclass
class MappedRow:
    """A row read through a profile: the intake body, its contacts, the recorded notice, the cells it could not read."""

    body: dict[str, Any]
    contacts: list[ContactIn]
    record: dict[str, Any]
    problems: list[FieldError]


def lint_profile(path: Path) -> list[str]:
    """Every problem of the profile in `path`, each naming its file, line and key; [] when it is good."""
    return read_profile(Path(path), shipped=False)[1]


def _load(path: Path, *, shipped: bool) -> Profile:
    profile, problems = read_profile(path, shipped=shipped)
    if profile is None:
        raise ProfileError(problems or [f"{path.name}: not a profile"])
    return profile


@lru_cache(maxsize=1)
def _shipped() -> tuple[Profile, ...]:
    return tuple(_load(path, shipped=True) for path in sorted(SHIPPED_DIR.glob("*.yaml")))


def shipped_profiles() -> list[Profile]:
    """The profiles nurture ships (nurture/intake/profiles/*.yaml), read once per process."""
    return list(_shipped())


def own_dir(extra_dir: Path | None = None) -> Path | None:
    """The business's own profiles: `extra_dir`, else NURTURE_PROFILES_DIR, else none."""
    return extra_dir if extra_dir is not None else get_settings().profiles_dir


def profile_files(extra_dir: Path | None = None) -> list[Path]:
    """Every profile file: the shipped ones, then the business's own (.yaml or .yml)."""
    files = sorted(SHIPPED_DIR.glob("*.yaml"))
    folder = own_dir(extra_dir)
    if folder is not None and folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return files


def available_profiles(extra_dir: Path | None = None) -> list[Profile]:
    """The shipped profiles and the business's own; one of its own replaces a shipped one of the same
    name. A broken file of its own is left out with a warning (`nurture profiles lint` says why)."""
    found = {p.name: p for p in shipped_profiles()}
    folder = own_dir(extra_dir)
    for path in profile_files(extra_dir):
        if folder is None or path.parent != folder:
            continue
        try:
            profile = _load(path, shipped=False)
        except ProfileError as exc:
            log.warning("profile %s left out: %s", path, exc.problems[0])
            continue
        found[profile.name] = profile
    return sorted(found.values(), key=lambda p: p.name)


def _looks_like_path(name_or_path: str) -> bool:
    return name_or_path.endswith((".yaml", ".yml")) or "/" in name_or_path or "\\" in name_or_path


def find_profile_file(name_or_path: str, extra_dir: Path | None = None) -> Path | None:
    """The file of a profile given by name (the business's own first) or by path; None when there is none."""
    if _looks_like_path(name_or_path):
        path = Path(name_or_path)
        return path if path.is_file() else None
    for path in reversed(profile_files(extra_dir)):
        if path.stem == name_or_path:
            return path
    return None


def load_profile(name_or_path: str, extra_dir: Path | None = None) -> Profile:
    """A profile by name (shipped or the business's own) or by the path of a .yaml file;
    ProfileError saying what is wrong or which profiles there are."""
    path = find_profile_file(name_or_path, extra_dir)
    if path is None:
        if _looks_like_path(name_or_path):
            raise ProfileError([f"{name_or_path}: no such profile file"])
        names = ", ".join(sorted({p.stem for p in profile_files(extra_dir)}))
        raise ProfileError([(f"no profile named {shown(name_or_path)}: the profiles are {names} "
                             "(nurture profiles list), or give the path of a .yaml file")])
    if path.parent == SHIPPED_DIR:
        return next(p for p in _shipped() if p.path == path)
    return _load(path, shipped=False)


# Detection ------------------------------------------------------------------------------------


@dataclass
class Detection:
    """Which profile reads a header, the header's columns it does not use, and why."""

    profile: Profile | None
    ignored: list[str]
    why: str


_OWN_NESTED = ("property_", "mailing_address_", "foreclosure_", "sms_consent_")


def _own_layout(header: list[str]) -> bool:
    """The header is nurture's own import layout (the intake's field names: first_name, property_zip)."""
    ours = 0
    for column in header:
        key = fold(column).replace(" ", "_").replace("-", "_")
        if key in LeadIn.model_fields or key.startswith(_OWN_NESTED):
            ours += 1
    return ours >= 2


def detect(header: list[str], profiles: list[Profile]) -> Detection:
    """The profile whose `detect` columns are all in `header` (the one naming most of them when several
    are); None, with why, when none is (a file in nurture's own layout is told so) or two fit equally."""
    present = {fold(c) for c in header if c}
    matches: list[tuple[int, int, Profile]] = []
    missing: list[str] = []
    for profile in profiles:
        absent = [c for c in profile.detect if fold(c) not in present]
        if absent:
            missing.append(f"{profile.name} needs {', '.join(absent)}")
            continue
        used = sum(1 for c in profile.columns if fold(c) in present)
        matches.append((len(profile.detect), used, profile))
    if not matches:
        if _own_layout(header):
            why = ("the header is nurture's own layout (first_name, phone, property_zip, ...): "
                   "import it without a profile")
        elif not profiles:
            why = "there are no profiles to compare the header with"
        else:
            why = "no profile's columns are all in the header: " + "; ".join(missing)
        return Detection(profile=None, ignored=[], why=why)
    matches.sort(key=lambda m: (m[0], m[1]), reverse=True)
    best = matches[0]
    tied = [m[2].name for m in matches if m[:2] == best[:2]]
    if len(tied) > 1:
        return Detection(profile=None, ignored=[], why=(
            f"the header fits {' and '.join(tied)} equally: name one with --profile"))
    profile = best[2]
    read = {fold(c) for c in profile.columns}
    ignored = [c for c in header if fold(c) not in read]
    return Detection(profile=profile, ignored=ignored, why=(
        f"{profile.name}: the header has {', '.join(profile.detect)}; the profile reads {best[1]} "
        f"of its {len(header)} columns"))


# Mapping a row ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Binding:
    """A profile fitted to one header: for each cell and contact column, the header's own key (or
    None), with what each cell does worked out once (where its value goes, how it is read)."""

    cells: tuple[tuple[Cell, str, str, str, bool], ...]  # cell, key, head, tail (a nested field), to record
    contacts: tuple[tuple[str | None, tuple[tuple[str, str | None, str | None, str | None], ...],
                          tuple[str, ...]], ...]


def _bind(profile: Profile, keys: tuple[Any, ...]) -> _Binding:
    by_fold: dict[str, str] = {}
    for key in keys:
        if isinstance(key, str):
            by_fold.setdefault(fold(key), key)

    def find(column: str | None) -> str | None:
        return by_fold.get(fold(column)) if column else None

    cells = []
    for cell in profile.cells:
        key = find(cell.column)
        if key is not None:
            head, dot, tail = cell.target.partition(".")
            cells.append((cell, key, head, tail if dot else "", cell.target in RECORD_FIELDS))
    contacts = []
    for contact in profile.contacts:
        phones = tuple((key, find(p.phone_type), find(p.dnc), find(p.litigator))
                       for p in contact.phones if (key := find(p.number)) is not None)
        emails = tuple(key for column in contact.emails if (key := find(column)) is not None)
        if phones or emails:
            contacts.append((find(contact.name), phones, emails))
    return _Binding(cells=tuple(cells), contacts=tuple(contacts))


def _binding(profile: Profile, row: dict[str, str]) -> _Binding:
    keys = tuple(row)
    binding = profile.bindings.get(keys)
    if binding is None:
        if len(profile.bindings) >= _BINDINGS_MAX:
            profile.bindings.clear()
        binding = profile.bindings[keys] = _bind(profile, keys)
    return binding


_folded = lru_cache(maxsize=4096)(fold)
"""A cell's word as a profile's words are compared (a file repeats a few: Wireless, Yes, NOD)."""


def _flag(profile: Profile, key: str | None, row: dict[str, str], problems: list[FieldError]) -> bool:
    """A yes/no cell; a word that is neither counts as yes (a DNC or litigator flag is not ignored on a guess)."""
    if key is None:
        return False
    word = _folded(row.get(key) or "")
    if word in profile.true_words:
        return True
    if word in profile.false_words:
        return False
    problems.append(FieldError(key, f"{shown(row.get(key))} is neither a yes word nor a no word of this "
                                    "profile (true_words, false_words): counted as yes"))
    return True


def map_row(profile: Profile, row: dict[str, str]) -> MappedRow:
    """A row of the vendor's file (keyed by its header cells as written) read through `profile`."""
    binding = _binding(profile, row)
    body: dict[str, Any] = {}
    record = dict.fromkeys(RECORD_FIELDS)
    problems: list[FieldError] = []
    for cell, key, head, tail, to_record in binding.cells:
        raw = row.get(key)
        text = raw.strip() if isinstance(raw, str) else ""
        if not text:
            continue
        value: Any = text
        if cell.values is not None:
            mapped = cell.values.get(_folded(text), _MISSING)
            if mapped is not _MISSING:
                value = mapped
            elif cell.otherwise is not None:
                value = cell.otherwise[0]
            elif cell.kind == "record_type":
                problems.append(FieldError(key, f"{shown(text)} is not a document type this profile knows: "
                                                f"add it to record_type's values in {profile.path.name}"))
                continue
            if value is None:
                continue
        kind = cell.kind
        try:
            if kind == "date":
                value = read_date(text, cell.date_formats)
            elif kind == "money":
                value = read_money(text)
            elif kind == "language":  # "Spanish", "SPA", "es": one nurture writes in, else English and a warning
                value = parse_language(str(value))
        except ValueError as exc:
            problems.append(FieldError(key, str(exc)))
            continue
        if kind == "owner":
            first, last = split_name(value, cell.names)
            if cell.title_case:
                first, last = title_case(first), title_case(last)
            if first:
                body["first_name"] = first
            if last:
                body["last_name"] = last
        elif to_record:
            record[head] = value
        else:
            if cell.title_case:
                value = title_case(value)
            if tail:
                nested = body.get(head)
                if nested is None:
                    nested = body[head] = {}
                nested[tail] = value
            else:
                body[head] = value
    contacts: list[ContactIn] = []
    position = 0
    phone_types = profile.phone_types
    for name_key, phones, emails in binding.contacts:
        name = (row.get(name_key) or "").strip() if name_key else ""
        for number_key, type_key, dnc_key, litigator_key in phones:
            number = (row.get(number_key) or "").strip()
            if not number:
                continue
            position += 1
            word = _folded(row.get(type_key) or "") if type_key else ""
            contacts.append(ContactIn("phone", number, phone_types.get(word, "unknown"),
                                      _flag(profile, dnc_key, row, problems),
                                      _flag(profile, litigator_key, row, problems), name, position))
        for email_key in emails:
            address = (row.get(email_key) or "").strip()
            if address:
                position += 1
                contacts.append(ContactIn("email", address, "", False, False, name, position))
    return MappedRow(body=body, contacts=contacts, record=record, problems=problems)
