"""blake2b, the hash of charter's caches and fingerprints, without hashlib.

`hashlib` loads OpenSSL on import (about 3 ms of every warm check); the `_blake2`
extension is the same blake2b without it. An interpreter built without the module
falls back to hashlib's.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter without the module
    from hashlib import blake2b

__all__ = ["blake2b"]
