"""Bytes to lines: UTF-8 decoding, BOM and line-ending problems, each with its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from charter.model import Diagnostic
from charter.rulecodes import FILE_ENCODING

_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass
class Source:
    path: str
    lines: list[str]  # without line endings; a leading BOM removed
    newline: str = "\n"
    bom: bool = False
    problems: list[Diagnostic] = field(default_factory=list)


def decode(path: str, data: bytes) -> Source:
    problems: list[Diagnostic] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            Diagnostic(
                path,
                line,
                col,
                FILE_ENCODING,
                f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); "
                "the undecodable bytes are read as U+FFFD",
            )
        )
        text = data.decode("utf-8", errors="replace")
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
        problems.append(
            Diagnostic(
                path,
                1,
                1,
                FILE_ENCODING,
                "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM",
                "warning",
            )
        )
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    lone_cr = text.count("\r") - crlf
    newline = "\r\n" if crlf > lf else "\n"
    if lone_cr:
        # A lone CR ends a line too (classic Mac OS files; CommonMark agrees), so the
        # lines counted here are the lines markdown-it counts.
        if lone_cr > crlf and lone_cr > lf:
            newline = "\r"
        text = _LONE_CR.sub("\n", text)
        lf = text.count("\n") - crlf
    raw = text.split("\n")
    if crlf and lf:
        minority = "\r\n" if newline == "\n" else "\n"
        for number, raw_line in enumerate(raw[:-1], 1):
            if (minority == "\r\n") == raw_line.endswith("\r"):
                problems.append(
                    Diagnostic(
                        path,
                        number,
                        1,
                        FILE_ENCODING,
                        f"mixed line endings: {crlf} CRLF and {lf} LF; this line ends "
                        f"{'CRLF' if minority == chr(13) + chr(10) else 'LF'}",
                        "warning",
                    )
                )
                break
    lines = [line[:-1] if line.endswith("\r") else line for line in raw]
    if lines and lines[-1] == "":
        lines.pop()
    return Source(path, lines, newline, bom, problems)
