"""Hash stamps: how charter tells its own output from a person's edit.

Like cog's checksums, every generated file carries a hash of its body in its
first line, and every generated region carries a hash of its body in its begin
marker:

    <!-- charter:generated sha256=<hex> TaskBoard.csv.sha256=<hex>: do not edit ... -->
    <!-- charter:begin board sha256=<hex> -->

When the body no longer matches the stamp, someone edited it by hand since
charter wrote it, and charter refuses to overwrite it (unless forced) so the
edit is not lost. A file may also vouch for a companion that cannot hold a
comment (a CSV must stay pure RFC 4180): `NAME.sha256=<hex>` attributes.

Hashes are taken over the text with CRLF read as LF: a checkout that converts
line endings is not a hand edit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from charter.errors import CharterError
from charter.io import locate_region, locked, read_text, replace_region, write_text_atomic

KEY = "sha256"
_HEADER = re.compile(r"<!--[ \t]*charter:generated(?P<attrs>[^\n]*?)-->[ \t\r]*")
_ATTR = re.compile(r"(?:^|(?<=\s))(?P<key>[^\s=]+)=(?P<value>[0-9a-f]{64})(?![0-9a-zA-Z])")

_MARKER = re.compile(
    r"(?P<head>\s*<!--[ \t]*charter:begin[ \t]+\S+)(?P<attrs>.*?)(?P<tail>[ \t]*-->.*)", re.S
)

State = Literal["missing", "generated", "edited", "foreign"]


def digest(text: str) -> str:
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def parse_attrs(text: str) -> dict[str, str]:
    """`key=<64 hex>` pairs, e.g. {"sha256": ..., "TaskBoard.csv.sha256": ...}."""
    return {m.group("key"): m.group("value") for m in _ATTR.finditer(text)}


def format_attrs(attrs: Mapping[str, str]) -> str:
    own = [f"{KEY}={attrs[KEY]}"] if KEY in attrs else []
    return " ".join(own + [f"{k}={v}" for k, v in sorted(attrs.items()) if k != KEY])


@dataclass(frozen=True)
class Stamp:
    """What a generated file or region says about itself."""

    state: State
    attrs: dict[str, str] = field(default_factory=dict)
    body: str = ""  # the text the stamp covers (the file after its header line, or the region)
    line: int = 1  # 1-based line where the body starts


# ---- whole files ------------------------------------------------------------


def stamp_file(
    body: str,
    note: str,
    companions: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """`body` under a header line that says it is generated, what to edit instead, and its hash.

    `companions` maps a file name (relative to this file's folder) to that
    file's text, whose hash the header records too; `extra` adds raw
    `key=<hash>` attributes.
    """
    if "--" in note or "\n" in note:
        raise ValueError("a stamp note must be one line without '--'")
    attrs = _attrs_for(body, companions, extra)
    return f"<!-- charter:generated {format_attrs(attrs)}: {note} -->\n{body}"


def _attrs_for(
    body: str, companions: Mapping[str, str] | None, extra: Mapping[str, str] | None
) -> dict[str, str]:
    attrs = {KEY: digest(body)}
    for name, text in (companions or {}).items():
        attrs[companion_key(name)] = digest(text)
    attrs.update(extra or {})
    return attrs


def companion_key(name: str) -> str:
    return f"{name}.{KEY}"


def inspect_file(text: str | None) -> Stamp:
    """missing (no file), generated (stamp matches), edited (it does not), foreign (no stamp)."""
    if text is None:
        return Stamp("missing")
    first, _, body = text.partition("\n")
    match = _HEADER.fullmatch(first)
    if match is None:
        return Stamp("foreign", body=text)
    attrs = parse_attrs(match.group("attrs"))
    if KEY not in attrs:
        return Stamp("foreign", body=text)
    state: State = "generated" if digest(body) == attrs[KEY] else "edited"
    return Stamp(state, attrs, body, 2)


# ---- regions inside hand-written files --------------------------------------


def inspect_region(text: str, name: str) -> Stamp | None:
    """The stamp of region `name`, or None when the text has no such region.

    A region whose begin marker has no stamp yet reads as generated: there is
    no record of what charter wrote there, so there is nothing to protect.
    """
    region = locate_region(text, name)
    if region is None:
        return None
    attrs = parse_attrs(region.attrs)
    body = text[region.body_start : region.body_end]
    line = region.line + 1
    if KEY not in attrs:
        return Stamp("generated", attrs, body, line)
    return Stamp("generated" if digest(body) == attrs[KEY] else "edited", attrs, body, line)


def restamp_marker(
    marker: str,
    body: str,
    companions: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """A begin marker line carrying `body`'s hash (and its companions'), other text kept.

    Stamp attributes the marker had are replaced, not merged: the new stamp
    says exactly what was written now.
    """
    match = _MARKER.match(marker)
    if match is None:
        raise ValueError(f"not a region begin marker: {marker!r}")
    others = _ATTR.sub("", match.group("attrs")).split()
    attrs = _attrs_for(body, companions, extra)
    words = " ".join([format_attrs(attrs), *others])
    return f"{match.group('head')} {words}{match.group('tail')}"


def stamp_region(
    text: str,
    name: str,
    body: str,
    path: Path | None = None,
    companions: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """`text` with region `name` holding `body`, its begin marker stamped."""
    replaced = replace_region(text, name, body, path)
    region = locate_region(replaced, name)
    assert region is not None  # replace_region raised otherwise
    marker = restamp_marker(
        replaced[region.begin_start : region.begin_end],
        replaced[region.body_start : region.body_end],
        companions,
        extra,
    )
    return replaced[: region.begin_start] + marker + replaced[region.begin_end :]


def write_region(path: Path, name: str, body: str, *, force: bool = False) -> bool:
    """Regenerate one region of a hand-written file, under its lock. True when it changed.

    Refuses (CharterError naming the line) when the region was edited by hand
    since charter stamped it, unless `force`.
    """
    with locked(path):
        text = read_text(path)
        if text is None:
            raise CharterError("file not found", path)
        stamp = inspect_region(text, name)
        if stamp is None:
            replace_region(text, name, body, path)  # raises the "add the markers" error
            return False
        if stamp.state == "edited" and not force:
            raise CharterError(
                edited_message(f"region {name}"),
                path,
                stamp.line + first_difference(stamp.body, body) - 1,
            )
        new = stamp_region(text, name, body, path)
        if new == text:
            return False
        write_text_atomic(path, new)
        return True


# ---- messages ---------------------------------------------------------------


def first_difference(old: str, new: str) -> int:
    """1-based line of `old` where it first differs from `new` (where a hand edit likely is)."""
    old_lines = old.replace("\r\n", "\n").split("\n")
    new_lines = new.replace("\r\n", "\n").split("\n")
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), 1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines))


def edited_message(what: str) -> str:
    return (
        f"{what} was edited by hand since charter generated it (its hash stamp no longer "
        "matches; the line named is the first that differs from a fresh render); charter "
        "will not overwrite it. Move the change into the plans, or run with --force to "
        "discard it"
    )
