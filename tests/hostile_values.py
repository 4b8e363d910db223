"""Hostile values for property tests and fuzzers: numbers too big and too small, NUL and other
control characters, lone surrogates, bidi overrides, long strings, booleans, nested junk."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NASTY = ["", " ", "0", "-1", "1e999999", "1E+999999", "1e-999999999", "NaN", "Infinity", "0001-01-01",
         "9999-12-31", "12/10/2026", "2026-12-10", "\x00", "a\x00b", "\ud800", "\u202e", "\u2028", "²", "١٢٣٤٥",
         "javascript:alert(1)", "https://example.com/a", "203.0.113.7", "::1", "(305) 555-0142", "a@b.co",
         "maria@example.com", "FL", "33101", "job_loss", "behind", "sale_scheduled", "true", "yes"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(), st.sampled_from(NASTY), st.text(max_size=30), st.text(st.characters(codec="utf-8"), max_size=300),
    st.integers(min_value=0, max_value=7000).map(lambda n: "x" * n),
)
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=8)

PLAUSIBLE = {
    ("first_name",): ["Maria", "Zoë", " Ann ", "Nguyễn"], ("last_name",): ["Lopez", "O'Brien", ""],
    ("email",): ["maria@example.com", "Ann.Lee@Example.COM"], ("phone",): ["(305) 555-0142", "8505550100"],
    ("property", "street"): ["12 Palm Ave"], ("property", "city"): ["Miami"], ("property", "state"): ["FL", "fl"],
    ("property", "zip"): ["33101", "33101-1234"], ("mortgage_balance",): ["425000.00", "$425,000", 1000, "4.25e5"],
    ("estimated_value",): ["375000", 0, 99.5], ("payment_status",): ["behind", "current"],
    ("months_behind",): [3, "3", 0], ("hardships",): [["job_loss"], ["medical", "medical"], []],
    ("foreclosure", "stage"): ["sale_scheduled", "none"],
    ("foreclosure", "sale_date"): ["2026-12-10", "12/10/2026", "1995-06-01"],
    ("sms_consent", "granted"): [True, False], ("sms_consent", "text"): ["I agree to texts.\nReply STOP to opt out."],
    ("sms_consent", "source_url"): ["https://example.com/start-short-sale"],
    ("sms_consent", "ip"): ["203.0.113.7", "2001:db8::1"], ("source",): ["web", "csv"], ("external_id",): ["crm-8812"],
}
HOSTILE_PATHS = [*PLAUSIBLE, ("property",), ("foreclosure",), ("sms_consent",), ("favourite_colour",)]


def _put(body, path, value):
    target = body
    for part in path[:-1]:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    target[path[-1]] = value


@st.composite
def bodies(draw):
    """A plausible lead (a name, a phone and some other fields), then up to three fields made hostile."""
    body: dict[str, Any] = {"first_name": "Maria", "phone": "3055550142"}
    for path in draw(st.lists(st.sampled_from(list(PLAUSIBLE)), max_size=len(PLAUSIBLE), unique=True)):
        _put(body, path, draw(st.sampled_from(PLAUSIBLE[path])))
    if "sms_consent" in body:
        body["sms_consent"].setdefault("granted", False)
    for path in draw(st.lists(st.sampled_from(HOSTILE_PATHS), max_size=3, unique=True)):
        _put(body, path, draw(junk))
    return body
