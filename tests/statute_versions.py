"""One version of a state's rule, as the statute tables in tests/ write it (see statute_table.py's
docstring for every key). Shared by statute_table.py and the tables of the jurisdictions read
later (statutes_*.py), so that each can be written from the statutes without the product."""

from datetime import date, time

UNKNOWN_START = date(1900, 1, 1)   # "in force before any date the tests will use"; see effective_known

ALL_DAY_8_21 = (time(8), time(21))

def _v(**kw):
    """One version, with every key present (defaults = 'nothing stricter / not known')."""
    base = {
        "effective": UNKNOWN_START, "ends": None, "effective_known": False, "in_force_by": None,
        "weekday": ALL_DAY_8_21, "saturday": ALL_DAY_8_21, "sunday": ALL_DAY_8_21,
        "holidays": None, "per_24h": None, "per_24h_scope": None, "other_cap": None,
        "consent_exempt": None, "texts_covered": None, "scope": "telephone solicitation",
        "area_code_presumption": None, "clock": "local",
        "citation": "", "source": "", "words": "", "confirmed": False,
        "status": "in force", "notes": "",
    }
    unknown = set(kw) - set(base)
    if unknown:
        raise KeyError(f"unknown keys {unknown}")
    base.update(kw)
    return base


def _all(t):
    return {"weekday": t, "saturday": t, "sunday": t}
