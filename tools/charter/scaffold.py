"""`charter init`: scaffold a governed repository.

Writes a configuration, an example plan, the autonomy policy, the gates, the
sessions folder, a Makefile, pre-commit hooks and the agents' configs (Claude
Code with the guard and the Stop hook, Codex with the guard), then generates
the board and the handoff. A file that exists is never touched: each one is
created with O_EXCL, so running init twice changes nothing and a file a
person wrote in the meantime is never overwritten.
"""

from __future__ import annotations

import os
import shlex
from datetime import timedelta
from pathlib import Path
from typing import Any

from charter.board.regenerate import EXAMPLE_PLAN, regenerate_board
from charter.clock import now
from charter.config import Config, load_config
from charter.errors import CharterError
from charter.firsthour.project import detect_test_commands
from charter.firsthour.result import InitResult
from charter.firsthour.setup import first_hour
from charter.guard import export as render
from charter.guard import export_agents as agents
from charter.guard import instructions
from charter.guard import mcp_entries as register
from charter.guard.export import render_levels_table
from charter.guard.hook_script import stop_hook_command as portable
from charter.guard.policy import load_policy, parse_policy
from charter.handoff.regenerate import write_handoff
from charter.makefile import make_variable
from charter.presets import PRESETS
from charter.sandbox import agents as sandbox

INIT_TEMPLATES = Path(__file__).resolve().parent / "templates" / "init"
EXAMPLE_ID = "EX-1"
REVIEW_DAYS = 90
CLAUDE_SETTINGS = ".claude/settings.json"
CODEX_RULES = ".codex/rules/charter.rules"
CODEX_HOOKS = ".codex/hooks.json"
CODEX_CONFIG = ".codex/config.toml"
STOP_HOOK_TIMEOUT_S = 30


def init_repo(
    directory: Path,
    *,
    preset: str | None = None,
    owner: str = "team",
    python: str | None = None,
    example: bool = True,
    git_hooks: bool = True,
    pre_commit: str | None = None,
) -> InitResult:
    """Scaffold `directory` (created when missing). Never overwrites a file.

    `example=False` writes no example plan and no gates for it; `git_hooks=False`
    installs no git hook; `pre_commit` is the pre-commit executable to install the
    commit hook with (None: charter's own hook).
    """
    root = directory.resolve()
    if root.exists() and not root.is_dir():
        raise CharterError("exists and is not a directory", directory)
    root.mkdir(parents=True, exist_ok=True)
    result = InitResult(root)
    _write_config(root, preset, result)
    config = load_config(root)
    if config.root.resolve() != root:
        raise CharterError(
            f"the configuration found is {config.source or config.root}, not this directory's",
            directory,
        )

    wanted = example
    example = example and bool(config.id_re.fullmatch(EXAMPLE_ID))
    if wanted and not example:
        result.notes.append(
            f"the example plan was skipped: its IDs ({EXAMPLE_ID}) do not match "
            f"id_pattern {config.id_pattern!r}"
        )
    tests = detect_test_commands(root)
    context = {
        "owner": owner,
        "next_review": (now().date() + timedelta(days=REVIEW_DAYS)).isoformat(),
        "gates": config.gates,
        "policy": config.policy,
        "handoff": config.handoff,
        "example": example,
        "tests": tests,
        "test_allow": [rule for test in tests for rule in test.allow],
    }
    files = _files(config, example)
    for rel, template in files:
        if template == "AUTONOMY.md.j2":
            _create(root, rel, _policy_text(config, context), result)
        else:
            _create(root, rel, _render(template, context), result)
    _agent_configs(config, python, result)
    _other_agents(config, result)
    _derived(config, result)
    first_hour(config, result, tests, git_hooks=git_hooks, pre_commit=pre_commit)
    result.next_step = _next_step(
        config, example and f"{_plans_dir(config)}/{EXAMPLE_PLAN}" in result.created
    )
    return result


def _next_step(config: Config, example_written: bool) -> str:
    commit = 'git add -A && git commit -m "charter init"'
    if example_written:
        start = f"make session-start {make_variable('TASK', EXAMPLE_ID)}"
        return f"{commit}, then `{start}` (see AGENTS.md)"
    return (
        f"write a plan under {_plans_dir(config)}/ and a `## Plan ID` section for it in "
        f"{config.gates}, {commit}, then `make session-start TASK=ID` (see AGENTS.md)"
    )


def _plans_dir(config: Config) -> str:
    return _static_prefix(config.plans[0]) if config.plans else "docs/plans"


def _files(config: Config, example: bool) -> list[tuple[str, str]]:
    plans_dir = _plans_dir(config)
    files = [
        (config.policy, "AUTONOMY.md.j2"),
        (config.gates, "GATES.md.j2"),
        (f"{config.sessions.rstrip('/')}/README.md", "sessions-README.md.j2"),
        (f"{config.templates.rstrip('/')}/README.md", "templates-README.md.j2"),
        ("Makefile", "Makefile.j2"),
        (".pre-commit-config.yaml", "pre-commit-config.yaml.j2"),
        ("AGENTS.md", "AGENTS.md.j2"),
        ("CLAUDE.md", "CLAUDE.md.j2"),
    ]
    if example:
        files.insert(0, (f"{plans_dir}/{EXAMPLE_PLAN}", "example-plan.md.j2"))
    return files


def _static_prefix(glob: str) -> str:
    """`docs/plans/**/*.md` -> `docs/plans`: where a new plan can go."""
    parts = []
    for part in glob.split("/"):
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    if parts and "." in parts[-1] and len(parts) == len(glob.split("/")):
        parts.pop()  # the glob named one file
    return "/".join(parts) or "."


def _write_config(root: Path, preset: str | None, result: InitResult) -> None:
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and "[tool.charter" in pyproject.read_text("utf-8", "replace"):
        result.kept.append("pyproject.toml")
        if preset is not None:
            result.notes.append(
                "pyproject.toml already configures charter; --preset was not "
                f'applied (add `preset = "{preset}"` under [tool.charter])'
            )
        return
    if preset is None:
        text = _render("charter.toml.j2", {})
    else:
        if preset not in PRESETS:
            raise CharterError(
                f"unknown preset {preset!r} (known presets: {', '.join(sorted(PRESETS))})"
            )
        text = PRESETS[preset].toml
    _create(root, "charter.toml", text, result)


def _render(template: str, context: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(INIT_TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        raise CharterError(f"template error: {exc}", INIT_TEMPLATES / template) from exc


def _policy_text(config: Config, context: dict[str, Any]) -> str:
    """AUTONOMY.md with its levels table already generated from its own frontmatter."""
    draft = _render("AUTONOMY.md.j2", {**context, "levels_table": ""})
    table = render_levels_table(parse_policy(draft, config.policy))
    return _render("AUTONOMY.md.j2", {**context, "levels_table": table})


def _create(root: Path, rel: str, text: str, result: InitResult) -> bool:
    """Create `rel` holding `text` unless it exists; record which happened."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        result.kept.append(rel)
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))
    result.created.append(rel)
    return True


# ---- the agents' configs ---------------------------------------------------------


def stop_hook_command(python: str | None, root: Path) -> str:
    """Claude Code's Stop hook: `charter session check --hook claude-code`.

    Unlike the guard's hook it does not turn a failure to start into a block:
    a Stop hook that cannot run must not keep the agent from stopping. Without
    `python` it finds charter when it runs (`charter.guard.hook_script`).
    """
    if python is None:
        return portable()
    try:
        relative: str | None = Path(python).resolve().relative_to(root).as_posix()
    except ValueError:
        relative = None
    interpreter = (
        f'"$CLAUDE_PROJECT_DIR"/{shlex.quote(relative)}'
        if relative is not None
        else shlex.quote(python)
    )
    return (
        f'{interpreter} -I -m charter session check --hook claude-code --repo "$CLAUDE_PROJECT_DIR"'
    )


def stop_hook_entry(command: str) -> dict[str, Any]:
    return {"hooks": [{"type": "command", "command": command, "timeout": STOP_HOOK_TIMEOUT_S}]}


def _agent_configs(config: Config, python: str | None, result: InitResult) -> None:
    root = config.root.resolve()
    wanted = (CLAUDE_SETTINGS, CODEX_CONFIG, CODEX_RULES, CODEX_HOOKS)
    if all((root / rel).exists() for rel in wanted):
        result.kept.extend(wanted)
        return
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError as exc:
        result.notes.append(f"agent configs not written: {exc}")
        return
    interpreter = python  # None: the hooks find charter when they run, on any machine
    stop = {"hooks": {"Stop": [stop_hook_entry(stop_hook_command(interpreter, root))]}}
    guard_claude = render.hook_command("claude-code", interpreter, str(root))
    settings = render.render_claude_settings(policy, stop, guard_claude)
    _create(root, CLAUDE_SETTINGS, sandbox.with_claude_sandbox(settings, policy), result)
    codex_config = register.render_codex_config(
        sandbox.render_codex_config(policy, None, CODEX_CONFIG)
    )
    _create(root, CODEX_CONFIG, codex_config, result)
    _create(root, CODEX_RULES, sandbox.render_codex_rules(policy), result)
    guard_codex = render.hook_command("codex", interpreter, str(root))
    _create(root, CODEX_HOOKS, render.render_codex_hooks(None, guard_codex), result)
    if interpreter is not None and not interpreter.startswith(str(root) + os.sep):
        result.notes.append(
            f"the agent hooks run charter with {interpreter}, a path of this machine; "
            "without --python they find charter on any machine (see docs/guard.md)"
        )


def _other_agents(config: Config, result: InitResult) -> None:
    """The MCP server entries for every agent, the Gemini CLI and Cursor guard hooks, and the
    instruction files' charter section."""
    root = config.root.resolve()
    _create(root, register.CLAUDE_MCP, register.render_json_servers(None, typed=True), result)
    _create(root, agents.GEMINI_SETTINGS, agents.render_gemini_settings(None), result)
    _create(root, agents.CURSOR_HOOKS, agents.render_cursor_hooks(None), result)
    _create(root, agents.CURSOR_MCP, agents.render_cursor_mcp(None), result)
    _create(root, instructions.GEMINI_MD, instructions.render_import(None), result)
    try:
        policy = load_policy(config.path(config.policy), config.policy)
    except CharterError:
        return  # _agent_configs has said why
    _create(root, instructions.CURSOR_RULE, instructions.render_cursor_rule(policy), result)
    if instructions.AGENTS_MD in result.created:  # written by this run: ours to complete
        path = root / instructions.AGENTS_MD
        text = path.read_text(encoding="utf-8")
        path.write_text(instructions.render_agents_md(text, policy), encoding="utf-8")


def _derived(config: Config, result: InitResult) -> None:
    """The board and the handoff, when neither file exists yet."""
    board_files = (config.board, config.board_csv)
    if any(config.path(rel).exists() for rel in board_files):
        result.kept.extend(rel for rel in board_files if config.path(rel).exists())
    else:
        try:
            changed = regenerate_board(config).changed
            result.created.extend(changed)
        except CharterError as exc:
            result.notes.append(f"board not generated: {exc}")
    if config.path(config.handoff).exists():
        result.kept.append(config.handoff)
        return
    try:
        if write_handoff(config):
            result.created.append(config.handoff)
    except CharterError as exc:
        result.notes.append(f"handoff not generated: {exc}")


def summary(result: InitResult) -> str:
    lines = [f"charter init {result.root}"]
    lines += [f"  created {rel}" for rel in result.created]
    lines += [f"  {action}" for action in result.actions]
    lines += [f"  kept    {rel} (exists)" for rel in result.kept]
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines)
