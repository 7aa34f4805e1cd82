"""Random tokens handed to people (session cookies, links, API tokens); only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets


def issue_token(prefix: str = "") -> tuple[str, str]:
    """A new random token and the hash to store for it."""
    raw = prefix + secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    """SHA-256 is enough here: the tokens carry 256 random bits, so there is nothing to brute-force."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
