"""The characters a command may hold.

Refused before parsing: more than 16 KiB, NUL, carriage returns, control
characters, and every space or invisible character other than the ASCII space,
tab and newline. bash and tree-sitter disagree about some of them (a vertical
tab, a non-breaking space), and none has a place in a command an agent types.
"""

from __future__ import annotations

MAX_BYTES = 16 * 1024


def input_problem(text: str) -> str | None:
    """Refuse bytes that shells and tree-sitter may read differently."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return f"the command is longer than {MAX_BYTES // 1024} KiB"
    for char in text:
        code = ord(char)
        if code >= 0x20 and code != 0x7F and code < 0x80:
            continue
        if char in "\n\t":
            continue
        if char == "\x00":
            return "the command contains a NUL byte"
        if char == "\r":
            return "the command contains a carriage return (CR): use plain newlines"
        if char == "\xa0":
            return "the command contains a non-breaking space (U+00A0): use plain spaces"
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
            return f"the command contains the control character U+{code:04X}"
        if 0xD800 <= code <= 0xDFFF:
            return "the command is not valid UTF-8"
        if _invisible(char):
            return f"the command contains the invisible character U+{code:04X}"
    if not text.strip():
        return "the command is empty"
    return None


def _invisible(char: str) -> bool:
    import unicodedata  # only for non-ASCII input

    return unicodedata.category(char) in ("Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cn", "Cs")
