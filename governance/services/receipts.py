"""Receipt codes: shown once to the voter, stored only as a hash."""

from __future__ import annotations

import base64
import hashlib
import secrets


def receipt_new() -> str:
    """A random receipt code, e.g. 'K7QH-2MZX-P4TA-9WNB' (80 bits)."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def receipt_hash(code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalized.encode()).hexdigest()
