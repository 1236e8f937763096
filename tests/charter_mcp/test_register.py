"""The MCP server entries `charter init` and `charter export` write: no machine path, stable
across clones, and the entry an agent reads really starts a server that answers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("mcp", reason="the mcp extra is not installed")

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ENTRIES = {
    ".mcp.json": lambda text: json.loads(text)["mcpServers"]["charter"],
    ".gemini/settings.json": lambda text: json.loads(text)["mcpServers"]["charter"],
    ".cursor/mcp.json": lambda text: json.loads(text)["mcpServers"]["charter"],
    ".codex/config.toml": lambda text: tomllib.loads(text)["mcp_servers"]["charter"],
}


def init(root: Path) -> None:
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(
        [sys.executable, "-m", "charter", "init", "."], cwd=root, check=True, capture_output=True
    )


def test_init_registers_the_server_for_every_agent_with_no_machine_path(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "elsewhere" / "b"
    init(first)
    init(second)
    for rel, entry_of in ENTRIES.items():
        text = (first / rel).read_text(encoding="utf-8")
        assert text == (second / rel).read_text(encoding="utf-8"), rel
        assert str(tmp_path) not in text and sys.prefix not in text, rel
        entry = entry_of(text)
        assert entry["command"] == "sh" and "mcp --repo" in entry["args"][-1]
    for agent in ("claude-code", "codex", "gemini", "cursor"):
        check = subprocess.run(
            [sys.executable, "-m", "charter", "export", agent, "--check"],
            cwd=second,
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_codex_config_keeps_what_a_person_wrote(tmp_path: Path) -> None:
    root = tmp_path / "r"
    init(root)
    config = root / ".codex/config.toml"
    config.write_text('model = "o4"\n\n[mcp_servers.other]\ncommand = "x"\n', encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "charter", "export", "codex"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "charter", "export", "codex"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["model"] == "o4" and data["mcp_servers"]["other"] == {"command": "x"}
    assert data["mcp_servers"]["charter"]["command"] == "sh"
    assert config.read_text(encoding="utf-8").count("[mcp_servers.charter]") == 1


def test_the_registered_entry_starts_a_server_that_answers(tmp_path: Path) -> None:
    root = tmp_path / "r"
    init(root)
    entry = ENTRIES[".mcp.json"]((root / ".mcp.json").read_text(encoding="utf-8"))
    venv_bin = str(Path(sys.executable).parent)
    params = StdioServerParameters(
        command=entry["command"],
        args=entry["args"],
        cwd=str(root / "docs"),  # started from a subfolder: git finds the repository
        env={"PATH": f"{venv_bin}:/usr/bin:/bin"},
    )

    async def run() -> list[str]:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            result = await session.call_tool("next_task", {})
            data = result.structured_content
            return [task["id"] for task in data["tasks"]]

    assert asyncio.run(run()) == ["EX-1"]
