"""Reading an import profile's YAML (docs/profiles.md): every problem found at once, each with its
file, line and key, and the profile compiled for mapping rows (profiles.py). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nurture.errors import InputError
from nurture.intake.profile_values import (
    DATE_FORMATS,
    DEFAULT_DATE_FORMATS,
    NAME_ORDERS,
)
from nurture.text_rules import shown

# The lead's fields a profile may fill, and how a cell becomes one. `owner_name` is split into
# first_name and last_name. Phone and email come from `contacts:`, the foreclosure from the import.
LEAD_FIELDS: dict[str, str] = {
    "first_name": "name", "last_name": "name", "owner_name": "owner",
    "property.street": "text", "property.city": "text", "property.state": "text", "property.zip": "text",
    "mailing_address.street": "text", "mailing_address.city": "text", "mailing_address.state": "text",
    "mailing_address.zip": "text",
    "mortgage_balance": "money", "estimated_value": "money", "external_id": "text", "language": "language",
}
# The recorded notice's fields (MappedRow.record).
RECORD_FIELDS: dict[str, str] = {
    "record_type": "record_type", "document_type": "text", "recording_date": "date", "auction_date": "date",
    "parcel_number": "text", "case_number": "text", "lender": "text", "trustee": "text",
    "opening_bid": "money", "original_loan_amount": "money",
}
RECORD_TYPES = ("notice_of_default", "lis_pendens", "notice_of_sale", "judgment", "reo")
PHONE_TYPES = ("mobile", "landline", "voip", "unknown")
DEFAULT_PHONE_TYPES = {"wireless": "mobile", "cell": "mobile", "mobile": "mobile", "landline": "landline",
                       "land line": "landline", "residential": "landline", "voip": "voip"}
"""Every profile knows these words for a phone's type; its `phone_types:` adds to them."""
DEFAULT_TRUE_WORDS = ("yes", "y", "true", "1", "x")
DEFAULT_FALSE_WORDS = ("", "no", "n", "false", "0")
TOP_KEYS = ("name", "vendor", "description", "detect", "fields", "record", "contacts", "phone_types",
            "true_words", "false_words")
CELL_KEYS = ("column", "values", "otherwise", "date_formats", "names", "title_case")
GROUP_KEYS = ("contacts", "name", "phones", "phone", "phone_type", "dnc", "litigator", "emails", "email")
COUNT_MAX = 20
"""Contacts in a group, or phones or emails per contact: more is a typo (a file with 200 would be 200 columns each)."""


class ProfileError(InputError):
    """A profile cannot be used: `problems` says each thing wrong, with its file, line and key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Cell:
    """One field the profile fills from one column."""

    target: str
    kind: str
    column: str
    values: dict[str, Any] | None = None
    otherwise: tuple[Any] | None = None  # (value,) when the profile says what an unlisted value is
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    names: str = "first_last"
    title_case: bool = False


@dataclass(frozen=True)
class PhoneColumns:
    number: str
    phone_type: str | None
    dnc: str | None
    litigator: str | None


@dataclass(frozen=True)
class ContactColumns:
    """One contact of a group, its templates filled in: the columns of its phones and emails."""

    name: str | None
    phones: tuple[PhoneColumns, ...]
    emails: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Profile:
    """A vendor's layout: which columns identify it (`detect`) and what each column fills."""

    name: str
    vendor: str
    description: str
    path: Path
    detect: tuple[str, ...]
    shipped: bool
    cells: tuple[Cell, ...] = field(repr=False)
    contacts: tuple[ContactColumns, ...] = field(repr=False)
    phone_types: dict[str, str] = field(repr=False)
    true_words: frozenset[str] = field(repr=False)
    false_words: frozenset[str] = field(repr=False)
    # How to read each header met so far (profiles.py: a binding); an import meets one.
    bindings: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the profile reads, as it spells them, each once."""
        seen: dict[str, None] = {}
        for cell in self.cells:
            seen[cell.column] = None
        for contact in self.contacts:
            for column in (contact.name, *contact.emails):
                if column:
                    seen[column] = None
            for phone in contact.phones:
                for column in (phone.number, phone.phone_type, phone.dnc, phone.litigator):
                    if column:
                        seen[column] = None
        return tuple(seen)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "vendor": self.vendor, "description": self.description,
                "path": str(self.path), "shipped": self.shipped, "detect": list(self.detect)}


def fold(column: str) -> str:
    """A column name as headers are compared: no byte-order mark, no outer spaces, one space inside, any case."""
    return " ".join(column.replace("\ufeff", "").split()).casefold()


# Loading and linting -------------------------------------------------------------------------


def _key_lines(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int],
               twice: list[tuple[tuple[Any, ...], int, int]]) -> None:
    """The line of every key and list item under `node` (1-based), and the keys written twice."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            here = (*path, key_node.value)
            line = key_node.start_mark.line + 1
            if here in lines:
                twice.append((here, lines[here], line))
            lines[here] = line
            _key_lines(value_node, here, lines, twice)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _key_lines(item, (*path, index), lines, twice)


class _Reader:
    """Reads a profile's YAML into a Profile, collecting every problem with its line."""

    def __init__(self, path: Path, text: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.problems: list[str] = []

    def bad(self, where: tuple[Any, ...], message: str) -> None:
        line = next((self.lines[where[:n]] for n in range(len(where), 0, -1) if where[:n] in self.lines), 1)
        key = "".join(f"[{part}]" if isinstance(part, int) else (f".{part}" if i else str(part))
                      for i, part in enumerate(where))
        self.problems.append(f"{self.path.name}:{line}: {key or '(top)'}: {message}")

    def text_value(self, where: tuple[Any, ...], value: Any, *, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.bad(where, "is missing")
            return None
        if isinstance(value, bool):
            self.bad(where, f"YAML read this as {str(value).lower()}: write it in quotes")
            return None
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.bad(where, "must be text" if not isinstance(value, str) else "is empty")
            return None
        return value.strip()

    def count(self, where: tuple[Any, ...], value: Any, default: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
            self.bad(where, f"must be a whole number from 0 to {COUNT_MAX}")
            return 0
        return value

    def word_list(self, where: tuple[Any, ...], value: Any) -> frozenset[str] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.bad(where, 'must be a list of words, e.g. ["Yes", "Y", "1"]')
            return None
        words = set()
        for i, word in enumerate(value):
            if word == "":
                words.add("")
                continue
            text = self.text_value((*where, i), word)
            if text is not None:
                words.add(fold(text))
        return frozenset(words)

    def read(self, data: Any, shipped: bool) -> Profile | None:
        if not isinstance(data, dict):
            self.bad((), "a profile is a set of keys (name:, vendor:, detect:, fields:, ...), not "
                     f"{type(data).__name__ if data is not None else 'an empty file'}")
            return None
        for key in data:
            if key not in TOP_KEYS:
                self.bad((key,), f"is not a profile key: the keys are {', '.join(TOP_KEYS)}")
        name = self.text_value(("name",), data.get("name"))
        if name is not None and name != self.path.stem:
            self.bad(("name",), f"is {name!r} but the file is {self.path.name}: name the file {name}.yaml")
        vendor = self.text_value(("vendor",), data.get("vendor"))
        description = self.text_value(("description",), data.get("description"))
        detect = self._detect(data.get("detect"))
        cells = [*self._cells("fields", data.get("fields"), LEAD_FIELDS),
                 *self._cells("record", data.get("record"), RECORD_FIELDS)]
        targets = {c.target for c in cells}
        if "owner_name" in targets and targets & {"first_name", "last_name"}:
            self.bad(("fields", "owner_name"), "and first_name/last_name both fill the owner's name: keep one")
        contacts = self._groups(data.get("contacts"))
        if not cells and not contacts:
            self.bad((), "maps no column: give fields:, record: or contacts:")
        phone_types = dict(DEFAULT_PHONE_TYPES)
        phone_types.update(self._phone_types(data.get("phone_types")))
        true_words = self.word_list(("true_words",), data.get("true_words"))
        false_words = self.word_list(("false_words",), data.get("false_words"))
        true_words = true_words if true_words is not None else frozenset(DEFAULT_TRUE_WORDS)
        false_words = false_words if false_words is not None else frozenset(DEFAULT_FALSE_WORDS)
        for word in sorted(true_words & false_words):
            self.bad(("false_words",), f"{word!r} is also in true_words: a flag cannot mean both")
        if self.problems or name is None or vendor is None or description is None:
            return None
        return Profile(name=name, vendor=vendor, description=description, path=self.path, detect=detect,
                       shipped=shipped, cells=tuple(cells), contacts=tuple(contacts), phone_types=phone_types,
                       true_words=true_words, false_words=false_words)

    def _detect(self, value: Any) -> tuple[str, ...]:
        if value is None:
            self.bad(("detect",), "is missing: list the header columns that tell this vendor's file apart")
            return ()
        if not isinstance(value, list) or not value:
            self.bad(("detect",), "must be a list of column names, e.g. [RECORDTYPE, SITUSSTATECODE]")
            return ()
        columns = [self.text_value(("detect", i), c) for i, c in enumerate(value)]
        return tuple(c for c in columns if c is not None)

    def _cells(self, section: str, value: Any, known: dict[str, str]) -> Iterable[Cell]:
        if value is None:
            return
        if not isinstance(value, dict):
            self.bad((section,), "must map our field names to the vendor's columns (field: COLUMN)")
            return
        for target, spec in value.items():
            where = (section, target)
            if target not in known:
                other = RECORD_FIELDS if known is LEAD_FIELDS else LEAD_FIELDS
                hint = (f"it belongs under {'record' if known is LEAD_FIELDS else 'fields'}:" if target in other
                        else "phone and email come from contacts:" if target in ("phone", "email")
                        else f"the fields are {', '.join(known)}")
                self.bad(where, f"is not a field a profile can fill here: {hint}")
                continue
            cell = self._cell(where, target, known[target], spec)
            if cell is not None:
                yield cell

    def _cell(self, where: tuple[Any, ...], target: str, kind: str, spec: Any) -> Cell | None:
        if isinstance(spec, str | int) and not isinstance(spec, bool):
            spec = {"column": spec}
        if not isinstance(spec, dict):
            self.bad(where, "must be a column name, or keys column: (and values:, date_formats:, ...)")
            return None
        for key in spec:
            if key not in CELL_KEYS:
                self.bad((*where, key), f"is not a key of a field: the keys are {', '.join(CELL_KEYS)}")
        if "column" not in spec:
            self.bad(where, "has no column: say which column of the vendor's file fills it (column: NAME)")
        column = self.text_value((*where, "column"), spec.get("column"), required=False)
        values = self._values((*where, "values"), kind, spec.get("values"))
        otherwise = None
        if "otherwise" in spec:
            otherwise = (self._mapped((*where, "otherwise"), kind, spec["otherwise"], allow_none=True),)
        if kind == "record_type" and values is None and "values" not in spec:
            self.bad(where, "needs values: saying which of the vendor's words is which record type "
                     f"({', '.join(RECORD_TYPES)})")
        formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
        if "date_formats" in spec:
            if kind != "date":
                self.bad((*where, "date_formats"), f"only a date has formats; {target} is not a date")
            else:
                formats = self._formats((*where, "date_formats"), spec["date_formats"])
        names: Any = "first_last"
        if kind == "owner":
            names = spec.get("names")
            if names not in NAME_ORDERS:
                self.bad((*where, "names"), f"must be last_first (\"GARCIA MARIA\") or first_last (\"Maria Garcia\"), "
                         f"not {shown(names)}" if names is not None else
                         "is missing: say how the name is written, last_first or first_last")
        elif "names" in spec:
            self.bad((*where, "names"), "only owner_name is split into first and last name")
        titled = spec.get("title_case", False)
        if not isinstance(titled, bool):
            self.bad((*where, "title_case"), "must be true or false")
        elif titled and kind not in ("name", "owner"):
            self.bad((*where, "title_case"), "only names are title-cased (first_name, last_name, owner_name)")
        if column is None:
            return None
        return Cell(target=target, kind=kind, column=column, values=values, otherwise=otherwise,
                     date_formats=formats, names=names or "first_last", title_case=titled is True)

    def _mapped(self, where: tuple[Any, ...], kind: str, value: Any, *, allow_none: bool = False) -> Any:
        """A value a value map gives: a record type for record_type, text otherwise."""
        if value is None and allow_none:
            return None
        if kind == "record_type":
            if value not in RECORD_TYPES:
                self.bad(where, f"{shown(value)} is not a record type: use one of {', '.join(RECORD_TYPES)}")
                return None
            return value
        if kind in ("date", "money"):
            self.bad(where, f"a {kind} field takes no value map (the cell is read as a {kind})")
            return None
        return self.text_value(where, value)

    def _values(self, where: tuple[Any, ...], kind: str, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not value:
            self.bad(where, "must map the vendor's words to ours (NOD: notice_of_default)")
            return None
        mapped: dict[str, Any] = {}
        for word, target in value.items():
            if isinstance(word, bool) or word is None:
                self.bad(where, f"a word YAML read as {str(word).lower()}: write it in quotes")
                continue
            key = fold(str(word))
            if key in mapped:
                self.bad((*where, word), "is listed twice (words are compared without case)")
            mapped[key] = self._mapped((*where, word), kind, target, allow_none=True)
        return mapped

    def _formats(self, where: tuple[Any, ...], value: Any) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        formats = []
        for i, item in enumerate(items):
            if item not in DATE_FORMATS:
                self.bad((*where, i) if isinstance(value, list) else where,
                         f"{shown(item)} is not a date format: use {', '.join(DATE_FORMATS)}")
            else:
                formats.append(item)
        return tuple(formats) or DEFAULT_DATE_FORMATS

    def _phone_types(self, value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(("phone_types",), "must map the vendor's words to mobile, landline, voip or unknown")
            return {}
        types = {}
        for word, target in value.items():
            if target not in PHONE_TYPES:
                self.bad(("phone_types", word),
                         f"{shown(target)} is not a phone type: use {', '.join(PHONE_TYPES)}")
            elif isinstance(word, bool) or word is None:
                self.bad(("phone_types",), f"a word YAML read as {str(word).lower()}: write it in quotes")
            else:
                types[fold(str(word))] = target
        return types

    def _groups(self, value: Any) -> list[ContactColumns]:
        if value is None:
            return []
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            self.bad(("contacts",), "must be a list of contact groups (contacts:, name:, phone:, email:, ...)")
            return []
        found: list[ContactColumns] = []
        for i, group in enumerate(value):
            found.extend(self._group(("contacts", i), group))
        return found

    def _template(self, where: tuple[Any, ...], value: Any, letters: str, counts: dict[str, int],
                  *, required: bool = False) -> str | None:
        """A column name with {n} (the contact) and/or {m} (the phone or email) in it."""
        text = self.text_value(where, value, required=required)
        if text is None:
            return None
        try:
            text.format(n=1, m=1)
        except (KeyError, IndexError, ValueError):
            self.bad(where, f"{shown(text)}: only {{n}} (the contact's number) and {{m}} (the phone's or "
                     "email's) may stand in braces")
            return None
        for letter in "nm":
            if f"{{{letter}}}" in text and letter not in letters:
                self.bad(where, f"{shown(text)} has {{{letter}}}, which means nothing here")
                return None
            if letter in letters and counts[letter] > 1 and f"{{{letter}}}" not in text:
                self.bad(where, f"{shown(text)} needs {{{letter}}}: without it every "
                         f"{'contact' if letter == 'n' else 'phone or email'} reads the same column")
                return None
        return text

    def _group(self, where: tuple[Any, ...], group: Any) -> list[ContactColumns]:
        if not isinstance(group, dict):
            self.bad(where, "a contact group is a set of keys (contacts:, name:, phone:, email:, ...)")
            return []
        for key in group:
            if key not in GROUP_KEYS:
                self.bad((*where, key), f"is not a key of a contact group: the keys are {', '.join(GROUP_KEYS)}")
        if "phone" not in group and "email" not in group:
            self.bad(where, "has neither phone: nor email: (the column of each contact's phone or email)")
        people = self.count((*where, "contacts"), group.get("contacts"), 1)
        phones = self.count((*where, "phones"), group.get("phones"), 1 if "phone" in group else 0)
        emails = self.count((*where, "emails"), group.get("emails"), 1 if "email" in group else 0)
        name = self._template((*where, "name"), group.get("name"), "n", {"n": people, "m": 1})
        phone_counts = {"n": people, "m": phones}
        email_counts = {"n": people, "m": emails}
        number = self._template((*where, "phone"), group.get("phone"), "nm", phone_counts)
        ptype, dnc, litigator = (self._template((*where, key), group.get(key), "nm", phone_counts)
                                 for key in ("phone_type", "dnc", "litigator"))
        for key in ("phone_type", "dnc", "litigator"):
            if key in group and "phone" not in group:
                self.bad((*where, key), "describes a phone, but the group has no phone:")
        email = self._template((*where, "email"), group.get("email"), "nm", email_counts)
        contacts = []
        for n in range(1, people + 1):
            contacts.append(ContactColumns(
                name=name.format(n=n) if name else None,
                phones=tuple(
                    PhoneColumns(number=number.format(n=n, m=m),
                           phone_type=ptype.format(n=n, m=m) if ptype else None,
                           dnc=dnc.format(n=n, m=m) if dnc else None,
                           litigator=litigator.format(n=n, m=m) if litigator else None)
                    for m in range(1, phones + 1)) if number else (),
                emails=tuple(email.format(n=n, m=m) for m in range(1, emails + 1)) if email else (),
            ))
        return contacts


def read_profile(path: Path, *, shipped: bool) -> tuple[Profile | None, list[str]]:
    """The profile in `path` and every problem found in it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path.name}: cannot be read: {exc.strerror if isinstance(exc, OSError) else exc}"]
    lines: dict[tuple[Any, ...], int] = {}
    twice: list[tuple[tuple[Any, ...], int, int]] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        return None, [f"{path.name}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}"]
    if node is not None:
        _key_lines(node, (), lines, twice)
    reader = _Reader(path, text, lines)
    for key, first, again in twice:
        reader.bad(key, f"is written twice (lines {first} and {again}): keep one")
    profile = reader.read(data, shipped)
    return (profile if not reader.problems else None), reader.problems


