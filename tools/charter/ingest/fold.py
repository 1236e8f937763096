"""Folding a transcript into the session log's generated regions.

Three regions hold what the agents did: `transcript-commands`,
`transcript-files` and `transcript-usage`. Inside each, every transcript has
its own block, opened by `<!-- source: AGENT ID -->`; ingesting a transcript
again replaces its block, another transcript adds one. The hand-written text
around the regions is never touched. A log without the regions gets them
appended at its end, under `## Agent transcript`. A region edited by hand since
charter stamped it is not overwritten (unless forced): see charter.stamps.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from charter import stamps
from charter.errors import CharterError
from charter.evidence.digest import sha256_file
from charter.ingest.judge import Verdict
from charter.ingest.transcript import Command, Transcript, Usage
from charter.io import locked, read_text, write_text_atomic
from charter.stamps import locate_region, region_markers

COMMANDS = "transcript-commands"
FILES = "transcript-files"
USAGE = "transcript-usage"
REGIONS = {COMMANDS: "Commands run", FILES: "Files changed", USAGE: "Token usage"}
SECTION = "Agent transcript"
AGENTS = {"codex": "Codex", "claude-code": "Claude Code"}
MAX_COMMAND = 200

_SOURCE = re.compile(r"^<!-- source: (?P<key>.+?) -->$")
_USAGE_ROW = re.compile(r"^\| (turns|input|cached input|cache writes|output) \| ([\d,]+) \|$")
_USAGE_FIELDS = {
    "turns": "turns",
    "input": "input",
    "cached input": "cached_input",
    "cache writes": "cache_write",
    "output": "output",
}


@dataclass(frozen=True)
class FoldResult:
    key: str  # the block's `AGENT ID`
    changed: bool
    appended: tuple[str, ...]  # regions the log lacked, added at its end


def source_key(transcript: Transcript, source: Path) -> str:
    """`AGENT ID`: the thread or session id, or a hash of the file when the stream names none."""
    ident = transcript.source_id or f"sha256-{sha256_file(source)[:16]}"
    ident = re.sub(r"-{2,}", "-", re.sub(r"\s+", "_", ident))  # must stay inside an HTML comment
    return f"{transcript.agent} {ident}"


def fold_file(
    log: Path,
    transcript: Transcript,
    *,
    root: Path,
    source: Path,
    force: bool = False,
    verdicts: list[Verdict] | None = None,
) -> FoldResult:
    """Fold `transcript` into the log file under its lock; writes only when something changed.
    `verdicts` (one per command, `charter.ingest.judge`) mark what the policy would deny."""
    key = source_key(transcript, source)
    blocks = render_blocks(transcript, root, source, verdicts)
    with locked(log):
        text = read_text(log)
        if text is None:
            raise CharterError("session log not found", log)
        new, appended = fold_text(text, key, blocks, log, force=force)
        if new != text:
            write_text_atomic(log, new)
    return FoldResult(key, new != text, appended)


def fold_text(
    text: str, key: str, blocks: dict[str, str], path: Path | None = None, *, force: bool = False
) -> tuple[str, tuple[str, ...]]:
    """`text` with the block `key` of each region replaced or added (pure: no I/O)."""
    missing = tuple(name for name in REGIONS if locate_region(text, name) is None)
    if missing:
        text = _append_regions(text, missing)
    for name in REGIONS:
        stamp = stamps.inspect_region(text, name)
        assert stamp is not None
        if stamp.state == "edited" and not force:
            raise CharterError(stamps.edited_message(f"region {name}"), path, stamp.line)
        body = _merge(stamp.body, key, blocks[name])
        text = stamps.stamp_region(text, name, body, path)
    return text, missing


def _append_regions(text: str, names: tuple[str, ...]) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    parts: list[str] = []
    if not re.search(rf"^#+\s+{SECTION}\s*$", text, re.M):
        parts += [f"## {SECTION}", ""]
    for name in names:
        begin, end = region_markers(name)
        parts += [f"### {REGIONS[name]}", "", begin, end, ""]
    lead = "" if not text or text.endswith(("\n", "\r")) else newline
    gap = newline if text.strip() else ""
    return text + lead + gap + newline.join(parts)


def _merge(body: str, key: str, block: str) -> str:
    """The region body with `key`'s block replaced in place, or appended; other blocks kept."""
    blocks: list[tuple[str, list[str]]] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        match = _SOURCE.match(line)
        if match is not None:
            blocks.append((match.group("key"), [line]))
        elif blocks:
            blocks[-1][1].append(line)
        # lines before the first block are a template's placeholder: dropped
    rendered = f"<!-- source: {key} -->\n{block.strip()}"
    texts = [("\n".join(lines)).strip() for _, lines in blocks]
    keys = [k for k, _ in blocks]
    if key in keys:
        texts[keys.index(key)] = rendered
    else:
        texts.append(rendered)
    return "\n\n".join(texts) + "\n"


# ---- rendering --------------------------------------------------------------


def render_blocks(
    transcript: Transcript, root: Path, source: Path, verdicts: list[Verdict] | None = None
) -> dict[str, str]:
    title = _title(transcript)
    return {
        COMMANDS: _commands(transcript, title, _display(source, root), verdicts),
        FILES: _files(transcript, title, root),
        USAGE: _usage(transcript, title),
    }


def _title(transcript: Transcript) -> str:
    name = AGENTS.get(transcript.agent, transcript.agent)
    what = "thread" if transcript.agent == "codex" else "session"
    if not transcript.source_id:
        return f"**{name}**"
    return f"**{name}** {what} {code(_one_line(transcript.source_id))}"


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name  # a machine path has no place in a committed log


def _commands(
    transcript: Transcript, title: str, source: str, verdicts: list[Verdict] | None = None
) -> str:
    failed = transcript.failed_commands
    judged = verdicts is not None and len(verdicts) == len(transcript.commands)
    denied = sum(1 for v in verdicts or () if not v.allowed) if judged else 0
    policy = f", {denied} the policy would have denied" if judged else ""
    lines = [
        f"{title}, from {code(source)}, {transcript.events:,} event(s): "
        f"{len(transcript.commands)} command(s), {failed} failed{policy}."
    ]
    notes = _notes(transcript)
    if notes:
        lines += ["", *notes]
    if transcript.commands and judged:
        assert verdicts is not None
        lines += ["", "| # | Command | Exit | Status | Policy |", "|---:|---|---:|---|---|"]
        for number, (command, verdict) in enumerate(
            zip(transcript.commands, verdicts, strict=True), 1
        ):
            lines.append(
                f"| {number} | {code(_one_line(command.command), in_table=True)} | "
                f"{_exit(command)} | {command.status} | {_verdict(verdict)} |"
            )
    elif transcript.commands:
        lines += ["", "| # | Command | Exit | Status |", "|---:|---|---:|---|"]
        for number, command in enumerate(transcript.commands, 1):
            lines.append(
                f"| {number} | {code(_one_line(command.command), in_table=True)} | "
                f"{_exit(command)} | {command.status} |"
            )
    return "\n".join(lines)


def _verdict(verdict: Verdict) -> str:
    if verdict.allowed:
        return f"allowed at {verdict.level}"
    rule = _one_line(verdict.rule).replace("|", "\\|")
    return f"**DENIED** at {verdict.level}: {rule}"


def _notes(transcript: Transcript) -> list[str]:
    errors = Counter(_one_line(message) for message in transcript.errors)
    notes = [
        f"- agent error: {message}" + (f" ({count} times)" if count > 1 else "")
        for message, count in errors.items()
    ]
    if transcript.skipped:
        counts = ", ".join(f"{name} ({n})" for name, n in sorted(transcript.skipped.items()))
        notes.append(
            f"- skipped {sum(transcript.skipped.values())} event(s) of types charter "
            f"does not read: {counts}"
        )
    if transcript.malformed:
        numbers = ", ".join(str(m.line) for m in transcript.malformed[:10])
        more = ", ..." if len(transcript.malformed) > 10 else ""
        notes.append(
            f"- {len(transcript.malformed)} malformed line(s) not read: line {numbers}{more}"
        )
    return notes


def _exit(command: Command) -> str:
    return "?" if command.exit_code is None else str(command.exit_code)


def _files(transcript: Transcript, title: str, root: Path) -> str:
    kinds: dict[str, list[str]] = {}
    for change in transcript.files:
        seen = kinds.setdefault(_relative(change.path, root, transcript.cwd), [])
        if change.kind not in seen:
            seen.append(change.kind)
    lines = [f"{title}: {len(kinds)} file(s) changed."]
    if kinds:
        lines.append("")
        lines += [f"- {code(path)}: {', '.join(k)}" for path, k in sorted(kinds.items())]
    return "\n".join(lines)


def _relative(path: str, root: Path, cwd: str | None) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        return candidate.as_posix()
    for base in (str(root.resolve()), str(root), cwd):
        if base:
            try:
                return candidate.relative_to(base).as_posix()
            except ValueError:
                continue
    return path


def _usage(transcript: Transcript, title: str) -> str:
    if not transcript.usage_known:
        return f"{title}: token usage not reported."
    usage = transcript.usage
    rows = [("turns", usage.turns), ("input", usage.input), ("cached input", usage.cached_input)]
    if transcript.agent == "claude-code":
        rows.append(("cache writes", usage.cache_write))
    rows += [("output", usage.output), ("total", usage.total)]
    lines = [f"{title}:", "", "| Tokens | Count |", "|---|---:|"]
    lines += [f"| {name} | {value:,} |" for name, value in rows]
    return "\n".join(lines)


def code(text: str, in_table: bool = False) -> str:
    """`text` as a code span that survives backticks in it (and, in a table cell, pipes)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span


def _one_line(text: str) -> str:
    flat = re.sub(r"\s*\r?\n\s*", " ⏎ ", text.strip())
    return flat if len(flat) <= MAX_COMMAND else flat[: MAX_COMMAND - 1] + "…"


# ---- reading back -------------------------------------------------------------


def session_usage(text: str) -> Usage | None:
    """The token usage the log's usage region records, summed over its transcripts; None if none."""
    region = locate_region(text, USAGE)
    if region is None:
        return None
    total = Usage()
    found = False
    for line in text[region.body_start : region.body_end].replace("\r\n", "\n").split("\n"):
        match = _USAGE_ROW.match(line)
        if match is not None:
            found = True
            field = _USAGE_FIELDS[match.group(1)]
            setattr(total, field, getattr(total, field) + int(match.group(2).replace(",", "")))
    return total if found else None
