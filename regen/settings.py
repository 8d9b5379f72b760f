"""Settings read from the environment, in one place.

* ``REGEN_DATABASE_URL`` — the store: any SQLAlchemy URL (``sqlite:///path.db``,
  ``postgresql+psycopg://user:pass@host/db``); default an SQLite file ``var/regen.db`` in the checkout.
* ``REGEN_MAX_UPLOAD_MB`` — the largest file read (tables and boundary files alike); default 200.

Each is read when asked for (not at import), so that a test or a deployment can set it at any time.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_DATABASE_URL = "REGEN_DATABASE_URL"
ENV_MAX_UPLOAD_MB = "REGEN_MAX_UPLOAD_MB"
DEFAULT_DB_PATH = ROOT / "var" / "regen.db"
DEFAULT_MAX_MB = 200


def database_url(url: str | None = None) -> str:
    """``url`` if given, else ``$REGEN_DATABASE_URL``, else the SQLite file ``var/regen.db``."""
    return url or os.environ.get(ENV_DATABASE_URL) or f"sqlite:///{DEFAULT_DB_PATH}"


def max_upload_bytes() -> int:
    """The largest file read, in bytes (``$REGEN_MAX_UPLOAD_MB``; a value that is not a number is ignored)."""
    raw = os.environ.get(ENV_MAX_UPLOAD_MB, "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(max(mb, 0) * 1024 * 1024)


def megabytes(n: int) -> str:
    """A size for a message: "12 MB", or "512 bytes" below a megabyte."""
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"
