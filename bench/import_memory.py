"""`nurture leads import` of a 200 MB generated CSV: the importing process's peak RSS, and rows/s.

    python bench/import_memory.py [--mb 200] [--pad BYTES] [--keep]

Writes the file (the rows of bench/import_bench.py, 5% bad, one line at a time: the file is never
held here either) into a temporary folder, migrates a SQLite database there, then runs the real
command, `nurture leads import FILE --json` (with `--allow-unknown` when rows are padded), in a
child process, and reads that process's own peak resident set (`ru_maxrss` from `os.wait4`). The
import streams its file, so the peak should not grow with the file: the target is under 300 MB.

--pad BYTES adds an unknown `notes` column of that many characters to each row: the same megabytes
in fewer rows, to see what the bytes cost apart from the rows (a 200 MB file of plain rows is about
1.3 million leads, each planned: about 20 minutes on two cores). The folder is removed at the end,
also on Ctrl-C, unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import HEADER, ZIPS  # noqa: E402
from nurture import db  # noqa: E402


#: Runs argv[1:] and prints its peak RSS in KiB (Linux's unit for ru_maxrss) on stderr; its output
#: and its errors (none but the figure are kept) pass through.
PEAK_RSS = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def write_csv(path: Path, megabytes: float, *, pad: int = 0, bad_share: float = 0.05, seed: int = 7) -> int:
    """Rows like import_bench's until the file holds `megabytes` MB; how many rows it has."""
    rnd = random.Random(seed)
    target = int(megabytes * 1_000_000)
    notes = "n" * pad
    written = rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        header = HEADER + (",notes" if pad else "") + "\n"
        f.write(header)
        written += len(header)
        while written < target:
            i = rows
            state, zip_code = rnd.choice(ZIPS)
            phone = f"(305) {200 + i // 10_000 % 800:03d}-{i % 10_000:04d}"  # unique up to 8,000,000 rows
            balance = rnd.randrange(150_000, 700_000)
            stage = rnd.choice(["none", "pre_foreclosure", "notice_of_default", "sale_scheduled"])
            sale = f"2027-0{rnd.randrange(1, 9)}-1{rnd.randrange(0, 9)}" if stage == "sale_scheduled" else ""
            row = [f"Lead{i}", "Bench", phone, f"lead{i}@example.com", state, zip_code, str(balance),
                   str(balance + rnd.randrange(-120_000, 40_000)), "behind", str(rnd.randrange(1, 9)), "job_loss",
                   stage, sale, "yes", "I agree to receive texts", "https://www.example.com/start-short-sale"]
            if rnd.random() < bad_share:
                row[2] = "555-01"  # a phone that cannot be right
            if pad:
                row.append(notes)
            line = ",".join(row) + "\n"
            f.write(line)
            written += len(line)
            rows += 1
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated file, in MB")
    parser.add_argument("--pad", type=int, default=0, help="characters of an unknown column added to each row")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="import-memory-"))
    child: subprocess.Popen[bytes] | None = None
    try:
        csv_path = tmp / "leads.csv"
        started = time.perf_counter()
        rows = write_csv(csv_path, args.mb, pad=args.pad)
        size = csv_path.stat().st_size
        print(f"file: {size / 1e6:,.1f} MB, {rows:,} rows (written in {time.perf_counter() - started:.0f} s)", flush=True)
        url = f"sqlite:///{tmp / 'bench.db'}"
        db.upgrade(url)
        nurture = shutil.which("nurture", path=str(Path(sys.executable).parent)) or "nurture"
        command = [nurture, "leads", "import", str(csv_path), "--json", *(["--allow-unknown"] if args.pad else [])]
        env = os.environ | {"NURTURE_DATABASE_URL": url}
        started = time.perf_counter()
        # Through a small python of its own: Linux starts a child's peak RSS at its parent's size at
        # the fork (the high-water mark survives exec), and this process has nurture imported.
        child = subprocess.Popen([sys.executable, "-c", PEAK_RSS, *command], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)
        out, err = child.communicate()  # the JSON report, printed at the end; the peak, in KiB
        seconds = time.perf_counter() - started
        child = None
        report = json.loads(out)
        peak_kib = int(err.split()[-1])
        peak_mb = peak_kib * 1024 / 1e6
        print(f"imported: {report['rows']:,} rows ({report['created']:,} created, {report['failed_rows']:,} "
              f"refused) in {seconds:,.0f} s: {report['rows'] / seconds:,.0f} rows/s")
        print(f"peak RSS of the importing process: {peak_mb:,.0f} MB ({peak_kib / 1024:,.0f} MiB) "
              f"for a {size / 1e6:,.0f} MB file; target under 300 MB: {'met' if peak_mb < 300 else 'NOT met'}")
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        if child is not None and child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            child.wait()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
