"""Where the app finds its settings: defaults, then the environment, then a test override."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def instance_dir() -> Path:
    return Path(os.environ.get("ANSINH_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def database_url() -> str:
    """``DATABASE_URL`` if set, else the embedded SQLite database in ``instance/``."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    folder = instance_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'ansinh.db'}"


def secret_key() -> str:
    """``SECRET_KEY`` if set, else one generated once and kept in ``instance/secret_key``."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_dir() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()


def trusted_proxies() -> int:
    """``ANSINH_TRUSTED_PROXIES``: how many reverse proxies stand in front of the app (0 = none). Only
    that many ``X-Forwarded-*`` hops are believed, so a client cannot pick its own address."""
    value = os.environ.get("ANSINH_TRUSTED_PROXIES", "0").strip() or "0"
    if not value.isdigit():
        raise ValueError(f"ANSINH_TRUSTED_PROXIES must be a whole number, not {value!r}")
    return int(value)
