"""CSV import: header-mapped columns (the intake's names, nested ones flattened with `_`), a per-row report.

An import never stops half-way: a line that cannot be read or saved is reported with its number,
and every other line is still imported; the report says what was committed.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from nurture.errors import InputError, TransientError
from nurture.intake.leads import FieldError, IntakeError, LeadIn, OnMatch, RowOutcome, parse_lead, upsert_many
from nurture.intake.schema import FILE_EVIDENCE
from nurture.text_rules import clip
from nurture.tracebacks import error_summary, redacted_traceback

log = logging.getLogger("nurture.intake.csv_import")

# CSV column -> path in the intake body.
COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone",),
    "property_street": ("property", "street"),
    "property_city": ("property", "city"),
    "property_state": ("property", "state"),
    "property_zip": ("property", "zip"),
    "mailing_address_street": ("mailing_address", "street"),
    "mailing_address_city": ("mailing_address", "city"),
    "mailing_address_state": ("mailing_address", "state"),
    "mailing_address_zip": ("mailing_address", "zip"),
    "mortgage_balance": ("mortgage_balance",),
    "estimated_value": ("estimated_value",),
    "payment_status": ("payment_status",),
    "months_behind": ("months_behind",),
    "hardships": ("hardships",),
    "foreclosure_stage": ("foreclosure", "stage"),
    "foreclosure_sale_date": ("foreclosure", "sale_date"),
    "sms_consent_granted": ("sms_consent", "granted"),
    "sms_consent_text": ("sms_consent", "text"),
    "sms_consent_source_url": ("sms_consent", "source_url"),
    "sms_consent_ip": ("sms_consent", "ip"),
    "sms_consent_at": ("sms_consent", "at"),
    "source": ("source",),
    "external_id": ("external_id",),
    "language": ("language",),
}
BATCH = 500
#: How a CSV cell (and `--sms-consent-granted`) says yes or no.
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})


class CsvFileError(InputError):
    """The file as a whole cannot be imported (unreadable, no header, unknown columns)."""


class ImportInterrupted(TransientError):
    """The import was stopped (Ctrl-C) between or during batches: `report` holds what the
    committed batches did; nothing after `committed_through` (a line number) was saved."""

    def __init__(self, report: ImportReport, committed_through: int) -> None:
        super().__init__(f"stopped: lines up to {committed_through} were committed")
        self.report = report
        self.committed_through = committed_through


def header_key(name: str) -> str:
    """A header cell as the intake's column name it may be (case, spaces, dashes and dots folded)."""
    return name.strip().lower().replace(" ", "_").replace("-", "_").replace(".", "_")


def row_to_body(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (already header-mapped) as an intake body; empty cells are left out."""
    body: dict[str, Any] = {}
    for column, raw in row.items():
        value = (raw or "").strip()
        if value == "":
            continue
        path = COLUMNS[column]
        if column == "hardships":
            value = [h.strip() for h in value.replace("|", ";").replace(",", ";").split(";") if h.strip()]
        elif column == "sms_consent_granted":
            low = value.lower()
            value = True if low in TRUE_WORDS else False if low in FALSE_WORDS else value
        target = body
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return body


@dataclass
class ImportReport:
    """What an import did, row by row."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, FieldError]] = field(default_factory=list)
    # Saved rows with something not applied: contact fields held for ops, a refused consent grant.
    warnings: list[tuple[int, FieldError]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed_rows(self) -> int:
        return len({line for line, _ in self.errors})

    def add(self, outcome: RowOutcome) -> None:
        if outcome.action == "error":
            self.errors.extend((outcome.line or 0, e) for e in outcome.errors)
        else:
            setattr(self, outcome.action, getattr(self, outcome.action) + 1)
            self.warnings.extend((outcome.line or 0, w) for w in outcome.warnings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "failed_rows": self.failed_rows, "dry_run": self.dry_run,
            "ignored_columns": self.ignored_columns,
            "errors": [{"line": line, **e.as_dict()} for line, e in self.errors],
            "warnings": [{"line": line, **w.as_dict()} for line, w in self.warnings],
        }


def read_rows(
    source: str | Iterable[str], *, allow_unknown: bool = False,
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The mapped header's ignored columns, and (line number, row) pairs.

    `source` is the CSV text, or its lines as an open file gives them (`newline=""`): lines are
    read as the rows are taken, so a file of any size costs the memory of one batch. Each row costs
    time in proportion to its cells, however many columns the header names."""
    lines = io.StringIO(source.removeprefix("\ufeff"), newline="") if isinstance(source, str) else _without_bom(source)
    # strict: a quote left open is an error we report, not a cell that swallows the rest of the file.
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvFileError("the file is empty: the first line must name the columns") from None
    keys = [header_key(h) for h in header]
    unknown = [_column_name(h) for h, k in zip(header, keys, strict=True) if k and k not in COLUMNS]
    if unknown and not allow_unknown:
        raise CsvFileError(
            f"unknown column(s): {listed(unknown)}. Known columns: {', '.join(COLUMNS)}. "
            "Rename them, or pass --allow-unknown to import the rest and ignore these. A vendor's list whose "
            "columns no import profile recognises needs one (nurture profiles list; docs/profiles.md)."
        )
    counts = Counter(k for k in keys if k)  # one pass: a header can have 50,000 columns
    dupes = {k for k, n in counts.items() if n > 1}
    known = [(i, k) for i, k in enumerate(keys) if k in COLUMNS]
    if dupes:
        raise CsvFileError(f"column(s) named twice: {listed(sorted(dupes))}")
    if not known:
        raise CsvFileError("no known column in the header line")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for start, values in records(reader, len(keys)):
            if isinstance(values, str):
                yield start, {"__error__": values}
                continue
            cells = len(values)
            yield start, {k: values[i] for i, k in known if i < cells}

    return unknown, rows()


def records(reader: Any, width: int) -> Iterator[tuple[int, list[str] | str]]:
    """The rows after a CSV header of `width` columns: (the line a row starts on, its cells), or
    (that line, what is wrong with it) for a row that cannot be read; blank rows are left out."""
    while True:
        start = reader.line_num + 1  # a quoted cell can span lines: report where the row starts
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, _csv_problem(exc, start, reader.line_num)
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) > width:
            yield start, f"has {len(values)} cells but the header has {width}"
            continue
        yield start, values


#: How many names an error or a report lists before it says how many more there are.
LISTED_MAX = 20


def listed(names: list[str]) -> str:
    """Names joined with commas, at most LISTED_MAX of them, then how many more."""
    if len(names) <= LISTED_MAX:
        return ", ".join(names)
    return f"{', '.join(names[:LISTED_MAX])} and {len(names) - LISTED_MAX:,} more"


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    """`lines` with a byte-order mark dropped from the first one."""
    it = iter(lines)
    for first in it:
        yield first.removeprefix("\ufeff")
        break
    yield from it


def _column_name(header: str) -> str:
    """A header cell as an error quotes it: control characters escaped, at most 60 characters."""
    return clip(repr(header.strip())[1:-1], 60)


def _csv_problem(exc: csv.Error, start: int, end: int) -> str:
    """A csv.Error as something a person can fix, naming the lines it cost."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"has a cell longer than {csv.field_size_limit():,} characters: no field takes that much"
    if "unexpected end of data" in text:
        return (f"a quoted cell opens on line {start} and is never closed: lines {start}-{end} "
                "could not be read (close the quote and import them again)")
    return f"is not valid CSV ({text}): fix the quotes on this line"


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """While an import runs, the objects alive before it (modules, the ZIP and area-code tables, the
    planner's caches) are left out of the collector's full collections (`gc.freeze`): walking them
    again and again cost an import 1.8-2.1 s of CPU per 10,000 rows, about a fifth of its time.
    They are handed back to the collector when it ends, so nothing is kept longer than that."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@older_objects_frozen()
def import_text(
    session_factory: Callable[[], Session],
    text: str | Iterable[str],
    *,
    now: datetime,
    dry_run: bool = False,
    allow_unknown: bool = False,
    progress: Callable[[int], None] | None = None,
    plan: bool = True,
    recorded_by: str | None = None,
    update: bool = True,
) -> ImportReport:
    """Import CSV text (or an open file's lines, read as the import goes) batch by batch; good rows
    land, bad rows are reported with their line numbers. `recorded_by` (who imports it) goes into every consent entry the file makes.
    With `update=False` (`--no-update`) a row that matches a stored lead leaves it as it is."""
    ignored, rows = read_rows(text, allow_unknown=allow_unknown)
    report = ImportReport(ignored_columns=ignored, dry_run=dry_run)
    batch: list[tuple[int, LeadIn]] = []
    # Where a stop would leave the import: the last line of the last committed batch, and how many
    # rows had been read by then (everything up to that line is settled: saved or reported).
    through, settled_rows = 1, 0

    def flush() -> None:
        nonlocal through, settled_rows
        if batch:
            for outcome in _commit_batch(session_factory, batch, now=now, dry_run=dry_run, plan=plan,
                                         recorded_by=recorded_by, update=update):
                report.add(outcome)
            through, settled_rows = batch[-1][0], report.rows
            if progress:
                progress(len(batch))
            batch.clear()

    try:
        for line, row in rows:
            report.rows += 1
            if "__error__" in row:
                report.errors.append((line, FieldError("row", row["__error__"])))
                continue
            try:
                lead_in = parse_lead(row_to_body(row), sep="_", today=now.date(), consent_evidence=FILE_EVIDENCE)
            except IntakeError as exc:
                report.errors.extend((line, e) for e in exc.errors)
                if progress:
                    progress(1)
                continue
            except Exception as exc:  # a bug in a rule must cost this line only, and say so
                log.error("CSV line %d could not be read\n%s", line, redacted_traceback(exc))
                report.errors.append((line, FieldError("row", f"could not be read: unexpected {error_summary(exc)}")))
                continue
            if "source" not in lead_in.model_fields_set:
                lead_in.source = "csv"
                lead_in.model_fields_set.add("source")
            batch.append((line, lead_in))
            if len(batch) >= BATCH:
                flush()
        flush()
    except KeyboardInterrupt:
        # Only committed batches change the counts; what was read after them is left out.
        report.rows = settled_rows
        report.errors = [e for e in report.errors if e[0] <= through]
        report.warnings = [w for w in report.warnings if w[0] <= through]
        report.errors.sort(key=lambda e: e[0])
        raise ImportInterrupted(report, through) from None
    report.errors.sort(key=lambda e: e[0])
    return report


def _commit_batch(
    session_factory: Callable[[], Session], batch: list[tuple[int, LeadIn]], *, now: datetime, dry_run: bool,
    plan: bool = True, recorded_by: str | None = None, update: bool = True,
) -> list[RowOutcome]:
    """Save one batch in one transaction; if anything fails, save its rows one by one instead, so
    that the failure costs (and names) only the row that caused it."""
    session = session_factory()
    try:
        on_match: OnMatch = "update" if update else "skip"
        if plan:
            outcomes = upsert_many(session, batch, method="csv", now=now, recorded_by=recorded_by, on_match=on_match)
        else:  # benchmarks measure intake alone
            outcomes = upsert_many(session, batch, method="csv", now=now, after_upsert=None, recorded_by=recorded_by,
                                   on_match=on_match)
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return outcomes
    except IntegrityError as exc:
        # Another writer took a phone or email between our look-up and our insert.
        session.rollback()
        failure: Exception = exc
        message = "another lead took this phone or email at the same time; import the row again"
        field_name = "phone"
    except Exception as exc:
        session.rollback()
        failure = exc
        message = f"could not be saved: unexpected {error_summary(exc)} (logged); the other rows went on"
        field_name = "row"
    finally:
        session.close()
    if len(batch) > 1:
        return [o for row in batch for o in _commit_batch(session_factory, [row], now=now, dry_run=dry_run, plan=plan,
                                                          recorded_by=recorded_by, update=update)]
    line = batch[0][0]
    if not isinstance(failure, IntegrityError):
        log.error("CSV line %d could not be saved\n%s", line, redacted_traceback(failure))
    return [RowOutcome(line, "error", errors=[FieldError(field_name, message)])]


SCAN_CHUNK = 1 << 20
"""Bytes read at a time when a file is checked before its import."""


def open_csv_file(path: Path) -> tuple[TextIO, int]:
    """The file opened as text for `import_text` (the caller closes it), and about how many rows it
    holds (for a progress bar). UTF-8, or UTF-16 with its byte-order mark as Excel's "Unicode text"
    saves it; a UTF-8 byte-order mark is dropped. The file is read through once first, a megabyte
    at a time, so that a file that is not text is refused as a whole, before any row is saved;
    CsvFileError says what is wrong."""
    try:
        encoding, total = _scan(path)
        return path.open(encoding=encoding, newline=""), total
    except FileNotFoundError:
        raise CsvFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvFileError(f"{path}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise CsvFileError(f"{path}: cannot be read ({exc.strerror})") from None


def _scan(path: Path) -> tuple[str, int]:
    """The file's encoding and about how many rows it holds (its lines less the header), read in
    chunks; CsvFileError naming the line of the first byte that is not text."""
    with path.open("rb") as f:
        chunk = f.read(SCAN_CHUNK)
        encoding = "utf-16" if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
        decoder = codecs.getincrementaldecoder(encoding)()
        offset, newlines, last = 0, 0, ""
        while True:
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                at = offset - max(0, len(exc.object) - len(chunk)) + exc.start
                raise CsvFileError(f"{path}: not UTF-8 text (line {_line_of(f, at)}, byte {at}); "
                                   "save the sheet as 'CSV UTF-8'") from None
            newlines += text.count("\n")
            last = text[-1:] or last
            if not chunk:
                return encoding, max(0, newlines + (last != "\n") - 1)
            offset += len(chunk)
            chunk = f.read(SCAN_CHUNK)


def _line_of(f: BinaryIO, at: int) -> int:
    """The line number of byte `at` of the open file `f`."""
    f.seek(0)
    line, left = 1, at
    while left > 0:
        chunk = f.read(min(SCAN_CHUNK, left))
        if not chunk:
            break
        line += chunk.count(b"\n")
        left -= len(chunk)
    return line

