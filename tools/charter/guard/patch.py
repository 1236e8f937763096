"""The paths a Codex `apply_patch` payload touches, read the way Codex reads it, or wider.

Codex edits files with one tool, `apply_patch`, whose input is a patch in its
own format (openai/codex, codex-rs/apply-patch/src/parser.rs):

    *** Begin Patch
    *** Add File: PATH          followed by `+` lines
    *** Delete File: PATH
    *** Update File: PATH
    *** Move to: PATH           optional, right after Update File: a rename
    @@ ...                      hunks of ` `, `-`, `+` lines
    *** End of File             optional
    *** End Patch

Codex's parser trims the patch and each marker line, splits lines on LF (a CR
before it is dropped), accepts the whole patch wrapped in a `<<'EOF'` here-doc,
and resolves relative paths against the working directory. This reader errs
wide: every line whose trimmed text starts with a file marker, in any case and
wherever it stands (also inside a hunk), names a path, and a line starting with
`*` that is not a known marker makes the patch unreadable. A patch it cannot
read is denied, never guessed at.
"""

from __future__ import annotations

_MARKERS = (
    ("*** add file:", "write"),
    ("*** delete file:", "delete"),
    ("*** update file:", "write"),
    ("*** move to:", "write"),
)
_PLAIN_MARKERS = ("*** begin patch", "*** end patch", "*** end of file")
_HEREDOC_OPENERS = ("<<EOF", "<<'EOF'", '<<"EOF"')


class PatchError(ValueError):
    """The payload is not a patch this reader understands: deny it."""


def patch_paths(text: str) -> list[tuple[str, str]]:
    """(operation, path) for every file the patch adds, updates, deletes or moves to.

    Operations are "write" and "delete". Raises PatchError when the text is not a
    readable patch.
    """
    lines = [line.removesuffix("\r") for line in text.strip().split("\n")]
    if (
        len(lines) >= 4
        and lines[0].strip() in _HEREDOC_OPENERS
        and lines[-1].strip().endswith("EOF")
    ):
        lines = lines[1:-1]
    if not lines or lines[0].strip().lower() != "*** begin patch":
        raise PatchError("the patch does not start with `*** Begin Patch`")
    if len(lines) < 2 or lines[-1].strip().lower() != "*** end patch":
        raise PatchError("the patch does not end with `*** End Patch`")
    found: list[tuple[str, str]] = []
    for number, line in enumerate(lines[1:-1], start=2):
        stripped = line.strip()
        lowered = stripped.lower()
        if lowered in _PLAIN_MARKERS:
            if lowered != "*** end of file":
                raise PatchError(f"line {number}: `{stripped}` in the middle of the patch")
            continue
        for marker, operation in _MARKERS:
            if lowered.startswith(marker):
                path = stripped[len(marker) :]
                _check_path(path, number)
                found.append((operation, path.removeprefix(" ")))
                if path.strip() != path.removeprefix(" "):
                    found.append((operation, path.strip()))
                break
        else:
            if line.startswith("*") or lowered.startswith("***"):
                raise PatchError(f"line {number}: `{stripped[:60]}` is not a patch marker")
    return found


def _check_path(path: str, number: int) -> None:
    if not path.strip():
        raise PatchError(f"line {number}: a file marker without a path")
    for char in path:
        code = ord(char)
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or char in "\u2028\u2029\x85":
            raise PatchError(f"line {number}: the path holds the control character U+{code:04X}")
