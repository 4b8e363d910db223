"""Look-alike email addresses: the skeleton of an address (after Unicode TR39's confusables, as
the confusable_homoglyphs package ships them), so that `mаria@example.com` with a Cyrillic `а`
is seen as Maria's address and not as a new person's."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

#: The package that ships TR39's confusables as data; its file is read the first time an address is
#: checked (importing its module would load it into every process, about 16 MiB, email or not).
CONFUSABLES = ("confusable_homoglyphs", "confusables.json")


def _rank(target: str) -> tuple[int, str]:
    """Which ASCII look-alike stands for a character: a lower-case letter first, then a digit."""
    return (0 if target.islower() else 1 if target.isdigit() else 2, target)


@cache
def _ascii_for() -> dict[str, str]:
    """Each non-ASCII character that looks like one printable ASCII character, with that character."""
    package, name = CONFUSABLES
    data = json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for char, alikes in data.items():
        if len(char) != 1 or char.isascii():
            continue
        targets = [a["c"].lower() for a in alikes if len(a["c"]) == 1 and a["c"].isascii() and a["c"].isprintable()]
        if targets:
            table[char] = min(targets, key=_rank)
    return table


def skeleton(text: str) -> str:
    """`text` as it looks: compatibility forms folded (NFKC), lower-cased, and every non-ASCII
    character that looks like an ASCII one replaced by it. ASCII itself is left alone (`l` and
    `1` stay two characters: two plain addresses that differ are two people)."""
    table = _ascii_for()
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(table.get(c, c) for c in folded).lower()


def email_skeleton(address: str) -> str:
    """The skeleton of a normalised address, its IDNA (`xn--`) domain read back as Unicode first."""
    local, _, domain = address.rpartition("@")
    try:
        domain = domain.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        pass  # not IDNA: compared as stored
    return skeleton(local) + "@" + skeleton(domain)


def looks_plain(address: str) -> bool:
    """Whether an address is its own skeleton (plain ASCII, no IDNA domain)."""
    return address.isascii() and "xn--" not in address
