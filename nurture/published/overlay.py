"""The templates and schedules folders the product reads: the files on disk, with the newest version
of each file published in the console written over them (issue 27).

With nothing published these are exactly NURTURE_TEMPLATES_DIR and NURTURE_SCHEDULES_DIR, so a
deployment that never uses the console reads its files as before. With published versions they are
an overlay: a copy of the files folders with each published text written in, built in a temporary
folder and renamed into place, so every thread and process sees a complete set or none. An overlay
never changes once built; its folder name is its key (the published versions in effect and the
files' names, times and sizes), so an edit on disk or a new publish makes a new folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from nurture.config import Settings, get_settings
from nurture.errors import TransientError
from nurture.models import ContentVersion

log = logging.getLogger(__name__)

#: Seconds a process trusts what it last read of the published versions (a publish in this
#: process calls refresh() and is seen at once; another process sees it within this time).
REFRESH_SECONDS = 2.0
#: Overlay folders of one database kept whatever their age (the newest first).
KEEP = 3
#: An overlay folder no process has used for this long is removed (each use touches it).
PRUNE_AFTER = 600.0
#: The folder, under the system's temporary folder, that holds the overlays of every database.
CACHE_NAME = "nurture-published"
#: What ContentVersion.kind is for each folder.
TEMPLATE, SCHEDULE = "template", "schedule"


class OverlayUnavailable(TransientError):
    """The database could not be read to know which versions are published; try again."""


@dataclass(frozen=True)
class Folders:
    """A templates folder and a schedules folder read together."""

    templates: Path
    schedules: Path


@dataclass(frozen=True)
class _Published:
    id: int
    kind: str
    name: str
    number: int
    digest: str


_lock = threading.Lock()
_cache: dict[tuple[str, str, str], tuple[float, Folders]] = {}
_engines: dict[tuple[str, int], Engine] = {}
_engines_lock = threading.Lock()


def templates_dir(settings: Settings | None = None) -> Path:
    """The templates folder in effect: the files, with the published versions over them."""
    return current(settings).templates


def schedules_dir(settings: Settings | None = None) -> Path:
    """The schedules folder in effect: the files, with the published versions over them."""
    return current(settings).schedules


def current(settings: Settings | None = None) -> Folders:
    """Both folders in effect, read again at most every REFRESH_SECONDS."""
    settings = settings or get_settings()
    key = (settings.database_url, str(settings.templates_dir), str(settings.schedules_dir))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < REFRESH_SECONDS:
            return hit[1]
        try:
            folders = _resolve(settings)
        except sa.exc.DBAPIError as exc:
            if hit is None:
                raise OverlayUnavailable(f"the published templates and schedules cannot be read: {exc.orig}") from exc
            log.warning("the published versions could not be read again; still using %s: %s", hit[1].templates, exc)
            folders = hit[1]
        _cache[key] = (time.monotonic(), folders)
        return folders


def refresh() -> None:
    """Forget what this process read, so the next call sees a publish at once."""
    with _lock:
        _cache.clear()


def files_signature(*folders: Path) -> str:
    """A hash of every file's path, modification time and size under `folders` (an edit on disk changes it)."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder).encode())
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{os.path.relpath(path, folder)}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
    return digest.hexdigest()[:16]


def safe_name(name: str) -> bool:
    """True for a relative path inside its folder ("sms/welcome.txt"), False for "../x", "/etc/x" and the like."""
    if not name or "\\" in name or "\0" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in path.parts) and str(path) == name


def write_over(folders: Folders, kind: str, name: str, body: str) -> Path:
    """Write `body` as file `name` of the folder of `kind` (for a sandbox or an overlay being built)."""
    if not safe_name(name):
        raise ValueError(f"{name!r} is not a file name inside its folder")
    base = folders.templates if kind == TEMPLATE else folders.schedules
    path = base / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def copy_folders(source: Folders, target: Path) -> Folders:
    """A copy of both folders of `source` under `target` (templates/ and schedules/)."""
    folders = Folders(target / "templates", target / "schedules")
    for origin, copy in ((source.templates, folders.templates), (source.schedules, folders.schedules)):
        if origin.is_dir():
            shutil.copytree(origin, copy, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        else:
            copy.mkdir(parents=True)
    return folders


def _has_database(url: str) -> bool:
    """False for a SQLite file that does not exist: nothing can have been published there, and
    reading it must not create it (`templates lint` in a fresh checkout)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return True
    database = parsed.database
    return not database or database == ":memory:" or Path(database).exists()


def _engine(url: str) -> Engine:
    """This process's own small engine for `url`, apart from the pool the sends use: a worker's
    pool is not pinged (db.pre_ping), and a connection this module left in it would be one more
    dead connection after a database restart for the send that meets it. Pinged before each use;
    SQLite opens a connection per read (a test's database file comes and goes)."""
    key = (url, os.getpid())  # a forked worker makes its own, never the parent's sockets
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": 10}, hide_parameters=True)
            else:
                engine = sa.create_engine(url, pool_size=1, max_overflow=4, pool_pre_ping=True, hide_parameters=True)
            _engines[key] = engine
        return engine


def newest_published(url: str) -> list[_Published]:
    """The newest published version of each file, as (id, kind, name, number, digest)."""
    if not _has_database(url):
        return []
    engine = _engine(url)
    table = ContentVersion.__table__
    newer = table.alias("newer")
    has_newer = sa.exists().where(newer.c.kind == table.c.kind, newer.c.name == table.c.name,
                                  newer.c.number > table.c.number)
    query = (sa.select(table.c.id, table.c.kind, table.c.name, table.c.number, table.c.digest)
             .where(table.c.number.is_not(None), ~has_newer).order_by(table.c.kind, table.c.name))
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(table.name):
            return []  # a database older than migration 0011
        return [_Published(*row) for row in conn.execute(query)]


def _bodies(url: str, ids: list[int]) -> dict[int, str]:
    table = ContentVersion.__table__
    with _engine(url).connect() as conn:
        return dict(conn.execute(sa.select(table.c.id, table.c.body).where(table.c.id.in_(ids))).all())


def cache_root(url: str) -> Path:
    """The folder that holds one database's overlays."""
    return Path(tempfile.gettempdir()) / CACHE_NAME / hashlib.sha256(url.encode()).hexdigest()[:16]


def _resolve(settings: Settings) -> Folders:
    files = Folders(Path(settings.templates_dir), Path(settings.schedules_dir))
    published = newest_published(settings.database_url)
    if not published:
        return files
    revision = hashlib.sha256(
        "\n".join(f"{p.id} {p.kind} {p.name} {p.number} {p.digest}" for p in published).encode()).hexdigest()[:16]
    root = cache_root(settings.database_url)
    target = root / f"{revision}-{files_signature(files.templates, files.schedules)}"
    if not target.is_dir():
        _build(settings, published, root, target)
    os.utime(target)  # in use: pruning leaves it alone
    _prune(root, keep=target)
    return Folders(target / "templates", target / "schedules")


def _build(settings: Settings, published: list[_Published], root: Path, target: Path) -> None:
    """Build the overlay in a temporary folder beside `target`, then rename it into place (another
    process that built the same overlay first wins; both are the same)."""
    root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        folders = copy_folders(Folders(Path(settings.templates_dir), Path(settings.schedules_dir)), building)
        bodies = _bodies(settings.database_url, [p.id for p in published])
        for p in published:
            if p.kind in (TEMPLATE, SCHEDULE) and safe_name(p.name):
                write_over(folders, p.kind, p.name, bodies[p.id])
            else:
                log.error("published %s %r ignored: not a file name inside its folder", p.kind, p.name)
        try:
            os.rename(building, target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)


def _prune(root: Path, *, keep: Path) -> None:
    """Remove overlays unused for PRUNE_AFTER seconds, beyond the KEEP newest (and leftovers of
    builds that died)."""
    try:
        entries = [(p.stat().st_mtime, p) for p in root.iterdir() if p.is_dir()]
    except OSError:
        return
    entries.sort(reverse=True)
    cutoff = time.time() - PRUNE_AFTER
    overlays = [p for _, p in entries if not p.name.startswith(".")]
    for mtime, path in entries:
        if path == keep or mtime >= cutoff or path in overlays[:KEEP]:
            continue
        shutil.rmtree(path, ignore_errors=True)
