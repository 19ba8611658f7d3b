"""The raw store: every fetched body kept by its sha256 before anything parses it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256(data: bytes) -> str:
    """Hex sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


class RawStore:
    """Content-addressed files: <root>/<sha[:2]>/<sha>."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        """Where a document with this hash lives."""
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store bytes (atomically, once) and return their sha256."""
        digest = sha256(data)
        dest = self.path(digest)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, dest)
        return digest

    def get(self, digest: str) -> bytes:
        """The bytes stored under a hash."""
        return self.path(digest).read_bytes()

    def size(self, digest: str) -> int:
        """How many bytes are stored under a hash (0 when none are)."""
        try:
            return self.path(digest).stat().st_size
        except OSError:
            return 0

    def __contains__(self, digest: str) -> bool:
        return self.path(digest).exists()
