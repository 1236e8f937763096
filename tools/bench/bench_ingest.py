"""Benchmark `charter session ingest` on 10,000-event transcripts, against a target of 1 s.

In one run: `python -c pass` (the baseline), `charter session ingest --help`
(start-up and imports, the floor for any ingest), then a whole
`charter session ingest codex FILE` and `... claude-code FILE` on generated
streams of 10,000 events each, the session log restored before every round so
each round parses, renders and writes. The streams follow the documented
event shapes, in the proportions a working session shows (commands with
output, file changes, reasoning, messages, usage).

Exit 0 when every target is met, 1 when one is missed, 2 when a run failed.
CHARTER_BENCH_QUICK=1 runs fewer rounds and checks no targets.

    .venv/bin/python tools/bench/bench_ingest.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Bench, BenchError, charter, machine, python_c

EVENTS = 10_000
TARGET = 1.0  # seconds, from the issue: a 10,000-event stream ingests in under a second
LOG = "---\nid: bench\ntask: BENCH-1\n---\n# Session\n\n## Plan\n\nWritten by hand.\n"
OUTPUT = "".join(f"tests/test_mod_{n}.py::test_case PASSED\n" for n in range(8))


def codex_stream(events: int) -> list[dict[str, Any]]:
    """`events` lines: per turn, reasoning, commands, a file change, a message, usage."""
    lines: list[dict[str, Any]] = [{"type": "thread.started", "thread_id": "bench-thread-0001"}]
    item = 0
    while len(lines) < events:
        lines.append({"type": "turn.started"})
        for _ in range(6):
            item += 1
            lines.append(
                {
                    "type": "item.completed",
                    "item": {
                        "id": f"item_{item}",
                        "type": "reasoning",
                        "text": "Checking the next step.",
                    },
                }
            )
            item += 1
            command = f"bash -lc 'pytest -q tests/test_mod_{item % 50}.py'"
            started = {
                "id": f"item_{item}",
                "type": "command_execution",
                "command": command,
                "aggregated_output": "",
                "exit_code": None,
                "status": "in_progress",
            }
            lines.append({"type": "item.started", "item": started})
            done = dict(
                started,
                aggregated_output=OUTPUT,
                exit_code=1 if item % 7 == 0 else 0,
                status="failed" if item % 7 == 0 else "completed",
            )
            lines.append({"type": "item.completed", "item": done})
        item += 1
        lines.append(
            {
                "type": "item.completed",
                "item": {
                    "id": f"item_{item}",
                    "type": "file_change",
                    "status": "completed",
                    "changes": [{"path": f"src/mod_{item % 40}.py", "kind": "update"}],
                },
            }
        )
        item += 1
        lines.append(
            {
                "type": "item.completed",
                "item": {
                    "id": f"item_{item}",
                    "type": "agent_message",
                    "text": "Done with this step.",
                },
            }
        )
        lines.append(
            {
                "type": "turn.completed",
                "usage": {
                    "input_tokens": 24_000,
                    "cached_input_tokens": 20_000,
                    "output_tokens": 300,
                },
            }
        )
    return lines[:events]


def claude_stream(events: int) -> list[dict[str, Any]]:
    """`events` lines: assistant tool calls (each streamed twice) and their results."""
    base = {
        "sessionId": "bench-session-0001",
        "cwd": "/home/dev/bench",
        "version": "2.0.14",
        "isSidechain": False,
        "userType": "external",
    }
    lines: list[dict[str, Any]] = [{"type": "summary", "summary": "bench", "leafUuid": "x"}]
    n = 0
    while len(lines) < events:
        n += 1
        tool = {
            "type": "tool_use",
            "id": f"toolu_{n}",
            "name": "Bash",
            "input": {"command": f"pytest -q tests/test_mod_{n % 50}.py"},
        }
        if n % 5 == 0:
            tool = {
                "type": "tool_use",
                "id": f"toolu_{n}",
                "name": "Edit",
                "input": {
                    "file_path": f"/home/dev/bench/src/mod_{n % 40}.py",
                    "old_string": "a",
                    "new_string": "b",
                },
            }
        usage = {
            "input_tokens": 3,
            "cache_creation_input_tokens": 200,
            "cache_read_input_tokens": 14_000,
            "output_tokens": 80,
        }
        message = {
            "id": f"msg_{n}",
            "type": "message",
            "role": "assistant",
            "model": "m",
            "content": [{"type": "text", "text": "Next step."}],
            "usage": usage,
        }
        lines.append({**base, "type": "assistant", "message": message})
        lines.append({**base, "type": "assistant", "message": dict(message, content=[tool])})
        failed = n % 7 == 0
        result = {
            "type": "tool_result",
            "tool_use_id": f"toolu_{n}",
            "content": ("Exit code 1\n" if failed else "") + OUTPUT,
            "is_error": failed,
        }
        lines.append(
            {
                **base,
                "type": "user",
                "message": {"role": "user", "content": [result]},
                "toolUseResult": {"stdout": OUTPUT, "stderr": "", "interrupted": False},
            }
        )
    return lines[:events]


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, separators=(",", ":")) + "\n")


def restore(log: Path) -> Callable[[], None]:
    def reset() -> None:
        log.write_text(LOG, encoding="utf-8")

    return reset


def main() -> int:
    quick = os.environ.get("CHARTER_BENCH_QUICK") == "1"
    rounds = {"repeat": 3, "warmup": 1} if quick else {"repeat": 7, "warmup": 2}
    print(f"# charter session ingest benchmarks\n\nmachine: {machine()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="charter-bench-ingest-") as tmp:
        root = Path(tmp)
        (root / "charter.toml").write_text("")
        log = root / "session.md"
        codex, claude = root / "codex.jsonl", root / "claude-code.jsonl"
        write_jsonl(codex, codex_stream(EVENTS))
        write_jsonl(claude, claude_stream(EVENTS))
        sizes = (
            f"codex {codex.stat().st_size / 1e6:.1f} MB, claude-code "
            f"{claude.stat().st_size / 1e6:.1f} MB"
        )
        bench = Bench(f"{EVENTS:,}-event transcripts ({sizes})", **rounds)
        target = None if quick else TARGET
        ingest = [*charter(), "session", "ingest"]
        common = ["--log", str(log), "--repo", str(root)]
        try:
            base = bench.measure("python -c pass", python_c("pass"))
            floor = bench.measure("charter session ingest --help", [*ingest, "--help"], ok=(0,))
            bench.measure(
                "ingest codex, 10k events",
                [*ingest, "codex", str(codex), *common],
                before=restore(log),
                ok=(0,),
                target=target,
            )
            bench.measure(
                "ingest claude-code, 10k lines",
                [*ingest, "claude-code", str(claude), *common],
                before=restore(log),
                ok=(0,),
                target=target,
            )
        except BenchError as exc:
            print(f"bench_ingest: error: {exc}", file=sys.stderr)
            return 2
        print(bench.report(baseline=base, reference=floor), flush=True)
    missed = bench.missed()
    for m in missed:
        print(
            f"bench_ingest: target missed: {m.name}: median {m.median * 1000:.0f} ms "
            f"> {(m.target or 0) * 1000:.0f} ms",
            file=sys.stderr,
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
