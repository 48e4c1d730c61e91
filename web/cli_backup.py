"""``ansinh backup PATH`` and ``ansinh restore PATH``: the SQLite database copied while the app serves
(SQLite's online backup API), and put back. PostgreSQL: pg_dump / pg_restore (README, Operations)."""

from __future__ import annotations

from pathlib import Path


def register(sub, command, show) -> None:
    def backup(args) -> None:
        from engine.backup import backup as copy

        from . import config

        done = copy(config.database_url(), Path(args.path))
        print(f"backup written to {done.path} ({done.bytes / 1e6:.1f} MB in {done.seconds:.1f} s)")

    def restore(args) -> None:
        from engine.backup import restore as put_back

        from . import config

        done = put_back(config.database_url(), Path(args.path))
        print(f"database {done.path} restored from {args.path} ({done.bytes / 1e6:.1f} MB); "
              "run `ansinh db upgrade` if the backup is from an older release")  # fmt: skip

    p = command(sub, "backup", backup, "copy the SQLite database while it serves (PostgreSQL: pg_dump)")
    p.add_argument("path", help="a new file for the copy")
    p = command(sub, "restore", restore, "put a backup back (stop the app and the scheduler first)")
    p.add_argument("path", help="the backup file")
