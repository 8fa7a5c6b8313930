"""The session history: one local SQLite file, versioned, safe with several writers at once.

Where it lives: ``--history PATH``, else ``$MIRROR_HISTORY``, else the platform's folder for
user data (:func:`default_history_path`).

Several processes may write at once (batch workers and a live session): the database runs
in WAL mode with a busy timeout, every write is one ``BEGIN IMMEDIATE`` transaction, and a
write that still finds the database locked is retried with a growing pause.  Writes are
synchronous (``synchronous=FULL``), so a committed session survives a crash.

A file that is not an SQLite database, another application's database, or a damaged one is
refused with one line naming it, and is never written to.  The schema is versioned in
``PRAGMA user_version``; a newer mirror migrates an older history in place, in one
transaction, and an older mirror refuses a newer history.

Schema history
--------------
1. ``mirror_meta``; ``sessions`` with the overall shares, typical lag and leader, the
   mechanical score per direction, synchrony against its surrogates and the coaching
   message totals.
2. Leader shares and follow lags per person on ``sessions``; ``session_parts`` (shares per
   body part) and ``session_coaching`` (messages per person and kind).  Sessions of version
   1 are completed from their report when it is still on disk.

The module is longer than about 400 lines because it is one store around one SQLite
connection: opening and refusing files, the schema and its migrations, writes and reads all
share the same transactions and retry loop, and split apart they would have to pass that
connection's state between modules.
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mirror.errors import MirrorError
from mirror.history.session import DEFAULT_FLAG_SCORE, PartShares, People, SessionRecord, record_from_report

SCHEMA_VERSION = 2
APPLICATION_ID = 0x4D495252  # "MIRR" in the SQLite header: a mirror history, not another program's database
FORMAT = "mirror.history"
SQLITE_MAGIC = b"SQLite format 3\x00"
HISTORY_ENV = "MIRROR_HISTORY"
BUSY_TIMEOUT_S = 30.0
WRITE_ATTEMPTS = 8

SESSION_COLUMNS = (
    "session_key", "kind", "source", "source_sha256", "settings_key", "recorded_at", "analysed_at", "duration_s",
    "me_name", "partner_name", "me_side", "mirror_share", "match_share", "symmetric_share", "none_share",
    "typical_lag_s", "leader", "leader_share_A", "leader_share_B", "leader_share_together", "follow_lag_A_s",
    "follow_lag_B_s", "mechanical_B_copies_A", "mechanical_A_copies_B", "flagged_B_copies_A", "flagged_A_copies_B",
    "mechanical_flag_score", "synchrony", "surrogate_mean", "effect_size", "p_value", "warnings", "praise", "prompts",
    "report_dir",
)  # fmt: skip


def default_history_path() -> Path:
    """The platform's place for user data: ``$XDG_DATA_HOME/mirror`` (``~/.local/share/mirror``),
    ``~/Library/Application Support/mirror`` on macOS, ``%LOCALAPPDATA%\\mirror`` on Windows."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "mirror" / "history.sqlite"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "mirror" / "history.sqlite"
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "mirror" / "history.sqlite"


def history_path(option: str | Path | None = None) -> Path:
    """The history file: ``option`` (``--history``), else ``$MIRROR_HISTORY``, else :func:`default_history_path`."""
    if option is not None and str(option) != "":
        return Path(option).expanduser()
    env = os.environ.get(HISTORY_ENV)
    if env:
        return Path(env).expanduser()
    return default_history_path()


class History:
    """An open session history.  Use as a context manager, or call :meth:`close`.

    Parameters
    ----------
    path : Path
        The SQLite file; created (with its folder) if missing, unless ``create`` is False.
    create : bool
        False: a missing file is an error (for reading commands, which must not make one).

    Raises
    ------
    MirrorError
        The file is not a mirror history, is damaged, is from a newer mirror, or cannot be
        created; the message names the file.  Nothing is written to such a file.
    """

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = Path(path)
        check_file(self.path, create)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MirrorError(f"cannot create the history folder {self.path.parent}: {exc.strerror or exc}") from None
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise MirrorError(f"cannot open the history {self.path}: {exc}") from None
        try:
            self._prepare()
        except BaseException:
            self.conn.close()
            raise

    # ------------------------------------------------------------------ opening
    def _prepare(self) -> None:
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._check_contents()
            if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self._retry(lambda: self.conn.execute("PRAGMA journal_mode = WAL").fetchone())
            self.conn.execute("PRAGMA synchronous = FULL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._retry(lambda: migrate(self.conn))
        except sqlite3.DatabaseError as exc:
            raise MirrorError(_damaged(self.path, exc)) from None
        except OSError as exc:
            raise MirrorError(f"cannot use the history {self.path}: {exc.strerror or exc}") from None

    def _check_contents(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        app = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app not in (0, APPLICATION_ID) or (tables and "mirror_meta" not in tables):
            raise MirrorError(
                f"{self.path} is another program's SQLite database, not a mirror history; it is left untouched "
                "(give another --history)"
            )
        if version > SCHEMA_VERSION:
            raise MirrorError(
                f"the history {self.path} has schema version {version}, made by a newer mirror; "
                f"this mirror reads up to version {SCHEMA_VERSION}: upgrade mirror"
            )
        if tables:
            problems = [r[0] for r in self.conn.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise MirrorError(
                    f"the history {self.path} is damaged ({problems[0]}); it is left untouched (give another --history)"
                )
            fmt = self.conn.execute("SELECT value FROM mirror_meta WHERE key = 'format'").fetchone()
            if fmt is None or fmt[0] != FORMAT:
                raise MirrorError(
                    f"{self.path} is not a mirror history (its format is {fmt[0] if fmt else 'unknown'}); "
                    "it is left untouched"
                )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------------ writing
    def record(self, rec: SessionRecord) -> tuple[int, bool]:
        """Store a session; the same ``session_key`` again updates it (keeping its id).

        Returns
        -------
        (int, bool)
            The session's id, and True when it was new (False: an earlier record was updated).
        """
        values = _row_values(rec)

        def write() -> tuple[int, bool]:
            with self._transaction():
                old = self.conn.execute("SELECT id FROM sessions WHERE session_key = ?", (rec.session_key,)).fetchone()
                if old is None:
                    cols = ", ".join(SESSION_COLUMNS)
                    marks = ", ".join("?" for _ in SESSION_COLUMNS)
                    sid = self.conn.execute(f"INSERT INTO sessions ({cols}) VALUES ({marks})", values).lastrowid
                else:
                    sid = old[0]
                    sets = ", ".join(f"{c} = ?" for c in SESSION_COLUMNS)
                    self.conn.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*values, sid))
                    self.conn.execute("DELETE FROM session_parts WHERE session_id = ?", (sid,))
                    self.conn.execute("DELETE FROM session_coaching WHERE session_id = ?", (sid,))
                assert sid is not None  # an INSERT always gives a row id
                _insert_details(self.conn, sid, rec)
                return int(sid), old is None

        return self._retry(write)

    def forget(self, session_id: int) -> SessionRecord:
        """Delete one session's record (its report files stay); returns what was deleted.

        Raises
        ------
        MirrorError
            No session has that id.
        """

        def delete() -> SessionRecord:
            with self._transaction():
                found = self._select("WHERE s.id = ?", (int(session_id),))
                if not found:
                    raise MirrorError(
                        f"no session {session_id} in the history {self.path} (`mirror progress` lists them)"
                    )
                self.conn.execute("DELETE FROM sessions WHERE id = ?", (int(session_id),))
                return found[0]

        return self._retry(delete)

    # ------------------------------------------------------------------ reading
    def sessions(self, since: str | None = None) -> list[SessionRecord]:
        """Every session, oldest first (by ``recorded_at``), optionally recorded at or after ``since`` (ISO 8601)."""
        where, args = ("WHERE s.recorded_at >= ?", (since,)) if since else ("", ())
        return self._retry(lambda: self._select(where, args))

    def session(self, session_id: int) -> SessionRecord | None:
        found = self._retry(lambda: self._select("WHERE s.id = ?", (int(session_id),)))
        return found[0] if found else None

    def _select(self, where: str, args: tuple) -> list[SessionRecord]:
        cols = ", ".join(f"s.{c}" for c in ("id", *SESSION_COLUMNS))
        rows = self.conn.execute(f"SELECT {cols} FROM sessions s {where} ORDER BY s.recorded_at, s.id", args).fetchall()
        ids = [r[0] for r in rows]
        parts: dict[int, dict[str, PartShares]] = {i: {} for i in ids}
        coaching: dict[int, dict[str, dict[str, int]]] = {i: {} for i in ids}
        if ids:
            marks = ", ".join("?" for _ in ids) if len(ids) < 900 else None
            part_sql = "SELECT session_id, part, mirror_share, match_share, none_share FROM session_parts"
            coach_sql = "SELECT session_id, person, kind, n FROM session_coaching"
            if marks:
                part_sql += f" WHERE session_id IN ({marks})"
                coach_sql += f" WHERE session_id IN ({marks})"
            for sid, part, mi, ma, no in self.conn.execute(part_sql, ids if marks else ()):
                if sid in parts:
                    parts[sid][part] = PartShares(mi, ma, no)
            for sid, person, kind, n in self.conn.execute(coach_sql, ids if marks else ()):
                if sid in coaching:
                    coaching[sid].setdefault(person, {})[kind] = int(n)
        return [_record(r, parts[r[0]], coaching[r[0]]) for r in rows]

    # ------------------------------------------------------------------ machinery
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _retry(self, action: Callable):
        """Run ``action``, again after a growing, jittered pause while another writer holds the database."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or attempt == WRITE_ATTEMPTS - 1:
                    if _busy(exc):
                        raise MirrorError(
                            f"the history {self.path} stayed locked by another process: try again"
                        ) from None
                    raise MirrorError(f"cannot use the history {self.path}: {exc}") from None
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
            except sqlite3.DatabaseError as exc:
                raise MirrorError(_damaged(self.path, exc)) from None
        raise AssertionError("unreachable")  # pragma: no cover


def check_file(path: Path, create: bool = True) -> None:
    """Refuse, before SQLite touches it, a path that cannot be a mirror history.

    Raises
    ------
    MirrorError
        A folder; a missing file when ``create`` is False; a file that is not an SQLite
        database; another application's SQLite database.
    """
    if path.is_dir():
        raise MirrorError(f"the history {path} is a folder: give a file, e.g. {path / 'history.sqlite'}")
    if not path.exists():
        if not create:
            raise MirrorError(
                f"no session history at {path}: `mirror analyze`, `mirror batch` and `mirror live` record sessions "
                "there"
            )
        return
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise MirrorError(f"cannot read the history {path}: {exc.strerror or exc}") from None
    if not header:
        return  # an empty file: a new history
    if len(header) < 100 or header[:16] != SQLITE_MAGIC:
        raise MirrorError(
            f"{path} is not a mirror history (not an SQLite database); it is left untouched (give another --history)"
        )
    app = int.from_bytes(header[68:72], "big")
    if app not in (0, APPLICATION_ID):
        raise MirrorError(
            f"{path} is another program's SQLite database, not a mirror history; it is left untouched "
            "(give another --history)"
        )


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema to ``target`` in one transaction (a concurrent opener waits, then sees it done).

    Returns the version before migrating.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = conn.execute("PRAGMA user_version").fetchone()[0]
        for version in range(before + 1, target + 1):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return before


def _to_v1(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("CREATE TABLE mirror_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO mirror_meta (key, value) VALUES ('format', ?)", (FORMAT,))
    conn.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            source_sha256 TEXT,
            settings_key TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            analysed_at TEXT NOT NULL,
            duration_s REAL,
            me_name TEXT,
            partner_name TEXT,
            me_side TEXT CHECK (me_side IN ('A', 'B')),
            mirror_share REAL,
            match_share REAL,
            symmetric_share REAL,
            none_share REAL,
            typical_lag_s REAL,
            leader TEXT,
            mechanical_B_copies_A REAL,
            mechanical_A_copies_B REAL,
            flagged_B_copies_A INTEGER NOT NULL DEFAULT 0,
            flagged_A_copies_B INTEGER NOT NULL DEFAULT 0,
            mechanical_flag_score REAL,
            synchrony REAL,
            surrogate_mean REAL,
            effect_size REAL,
            p_value REAL,
            warnings INTEGER NOT NULL DEFAULT 0,
            praise INTEGER NOT NULL DEFAULT 0,
            prompts INTEGER NOT NULL DEFAULT 0,
            report_dir TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX sessions_recorded_at ON sessions (recorded_at)")


def _to_v2(conn: sqlite3.Connection) -> None:
    for col in ("leader_share_A", "leader_share_B", "leader_share_together", "follow_lag_A_s", "follow_lag_B_s"):
        conn.execute(f"ALTER TABLE sessions ADD COLUMN {col} REAL")
    conn.execute(
        """CREATE TABLE session_parts (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            part TEXT NOT NULL,
            mirror_share REAL,
            match_share REAL,
            none_share REAL,
            PRIMARY KEY (session_id, part)
        )"""
    )
    conn.execute(
        """CREATE TABLE session_coaching (
            session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            person TEXT NOT NULL,
            kind TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (session_id, person, kind)
        )"""
    )
    conn.execute("CREATE INDEX sessions_me_name ON sessions (me_name)")
    conn.execute("CREATE INDEX sessions_partner_name ON sessions (partner_name)")
    _complete_from_reports(conn)


def _complete_from_reports(conn: sqlite3.Connection) -> None:
    """Fill the figures new in version 2 for older sessions whose report is still on disk."""
    for sid, report_dir, kind in conn.execute("SELECT id, report_dir, kind FROM sessions").fetchall():
        try:
            rec = record_from_report(report_dir, kind)
        except (MirrorError, OSError):
            continue  # the report has gone: those figures stay unknown
        conn.execute(
            "UPDATE sessions SET leader_share_A = ?, leader_share_B = ?, leader_share_together = ?, "
            "follow_lag_A_s = ?, follow_lag_B_s = ? WHERE id = ?",
            (
                rec.leader_share_A,
                rec.leader_share_B,
                rec.leader_share_together,
                rec.follow_lag_A_s,
                rec.follow_lag_B_s,
                sid,
            ),
        )
        _insert_details(conn, sid, rec)


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _to_v1, 2: _to_v2}


def _insert_details(conn: sqlite3.Connection, sid: int, rec: SessionRecord) -> None:
    conn.executemany(
        "INSERT INTO session_parts (session_id, part, mirror_share, match_share, none_share) VALUES (?, ?, ?, ?, ?)",
        [(sid, part, s.mirror, s.match, s.none) for part, s in rec.parts.items()],
    )
    conn.executemany(
        "INSERT INTO session_coaching (session_id, person, kind, n) VALUES (?, ?, ?, ?)",
        [(sid, person, kind, n) for person, by_kind in rec.coaching.items() for kind, n in by_kind.items()],
    )


def _row_values(rec: SessionRecord) -> tuple:
    row = {
        **{c: getattr(rec, c, None) for c in SESSION_COLUMNS},
        "me_name": rec.people.me_name,
        "partner_name": rec.people.partner_name,
        "me_side": rec.people.me_side,
        "flagged_B_copies_A": int(rec.flagged_B_copies_A),
        "flagged_A_copies_B": int(rec.flagged_A_copies_B),
        "warnings": rec.coaching_total("warning"),
        "praise": rec.coaching_total("praise"),
        "prompts": rec.coaching_total("prompt"),
    }
    return tuple(row[c] for c in SESSION_COLUMNS)


def _record(row: tuple, parts: dict[str, PartShares], coaching: dict[str, dict[str, int]]) -> SessionRecord:
    values = dict(zip(("id", *SESSION_COLUMNS), row, strict=False))
    if not coaching and any(values[k] for k in ("warnings", "praise", "prompts")):
        coaching = {"A+B": {"warning": values["warnings"], "praise": values["praise"], "prompt": values["prompts"]}}
    people = People(values.pop("me_name"), values.pop("partner_name"), values.pop("me_side"))
    for k in ("warnings", "praise", "prompts"):
        values.pop(k)
    values["flagged_B_copies_A"] = bool(values["flagged_B_copies_A"])
    values["flagged_A_copies_B"] = bool(values["flagged_A_copies_B"])
    if values["mechanical_flag_score"] is None:
        values["mechanical_flag_score"] = DEFAULT_FLAG_SCORE
    return SessionRecord(people=people, parts=parts, coaching=coaching, **values)


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _damaged(path: Path, exc: Exception) -> str:
    return (
        f"the history {path} is damaged or not a mirror history ({exc}); it is left untouched (give another --history)"
    )
