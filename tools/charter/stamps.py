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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from charter.errors import CharterError

KEY = "sha256"
_HEADER = re.compile(r"<!--[ \t]*charter:generated(?P<attrs>[^\n]*?)-->[ \t\r]*")
_ATTR = re.compile(r"(?:^|(?<=\s))(?P<key>[^\s=]+)=(?P<value>[0-9a-f]{64})(?![0-9a-zA-Z])")

_MARKER = re.compile(
    r"(?P<head>\s*<!--[ \t]*charter:begin[ \t]+\S+)(?P<attrs>.*?)(?P<tail>[ \t]*-->.*)", re.S
)

State = Literal["missing", "generated", "edited", "foreign"]


def digest(text: str) -> str:
    import hashlib  # here: hashlib loads OpenSSL, and a check over no generated file hashes none

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
    return header_line(_attrs_for(body, companions, extra), note) + body


def header_line(attrs: Mapping[str, str], note: str) -> str:
    """The stamp line `stamp_file` puts above a body whose hashes `attrs` holds."""
    if "--" in note or "\n" in note:
        raise ValueError("a stamp note must be one line without '--'")
    return f"<!-- charter:generated {format_attrs(attrs)}: {note} -->\n"


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


def region_markers(name: str) -> tuple[str, str]:
    return f"<!-- charter:begin {name} -->", f"<!-- charter:end {name} -->"


@dataclass(frozen=True)
class Region:
    """Where a generated region sits: character spans into the text."""

    begin_start: int  # start of the begin marker line
    begin_end: int  # end of the begin marker line, before its line ending
    attrs: str  # what the begin marker holds after the name, e.g. "sha256=..."
    body_start: int
    body_end: int
    line: int  # 1-based line of the begin marker


def _region_re(name: str) -> re.Pattern[str]:
    # The begin marker may carry attributes after the name (a hash stamp):
    # <!-- charter:begin NAME sha256=... -->
    quoted = re.escape(name)
    return re.compile(
        rf"^[ \t]*<!--[ \t]*charter:begin[ \t]+{quoted}(?P<attrs>(?:[ \t][^\n]*?)?)[ \t]*-->"
        rf"[^\n]*\n(?P<body>.*?)^[ \t]*<!--[ \t]*charter:end[ \t]+{quoted}[ \t]*-->",
        re.M | re.S,
    )


def locate_region(text: str, name: str) -> Region | None:
    """The region `name` with its begin marker's attributes, or None."""
    match = _region_re(name).search(text)
    if match is None:
        return None
    begin_end = text.index("\n", match.start())
    if begin_end > match.start() and text[begin_end - 1] == "\r":
        begin_end -= 1
    return Region(
        begin_start=match.start(),
        begin_end=begin_end,
        attrs=match.group("attrs").strip(),
        body_start=match.start("body"),
        body_end=match.end("body"),
        line=text.count("\n", 0, match.start()) + 1,
    )


def find_region(text: str, name: str) -> tuple[int, int] | None:
    """Character span of the region's body (between the marker lines), or None."""
    region = locate_region(text, name)
    if region is None:
        return None
    return region.body_start, region.body_end


def replace_region(text: str, name: str, body: str, path: Path | None = None) -> str:
    """`text` with the body of region `name` replaced; CharterError when it has none.

    A begin marker that carries a hash stamp gets the new body's stamp, so the
    region still reads as generated (see `restamp_marker`).
    """
    region = locate_region(text, name)
    if region is None:
        begin, end = region_markers(name)
        raise CharterError(f"no generated region: add the lines {begin} and {end}", path)
    newline = "\r\n" if "\r\n" in text else "\n"
    if body and not body.endswith("\n"):
        body += "\n"
    body = body.replace("\r\n", "\n").replace("\n", newline)
    begin = text[region.begin_start : region.begin_end]
    if "sha256=" in region.attrs:
        begin = restamp_marker(begin, body)
    between = text[region.begin_end : region.body_start]  # the begin marker's line ending
    return text[: region.begin_start] + begin + between + body + text[region.body_end :]


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
