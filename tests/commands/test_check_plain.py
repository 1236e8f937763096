"""`charter check` without click: plain arguments only, and the same output as click's command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from charter import cli
from charter.commands import check_plain
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        ([], ([], "text", False, None, False)),
        (["--format", "json"], ([], "json", False, None, False)),
        (["--format=github", "--no-cache"], ([], "github", True, None, False)),
        (
            ["docs/plans/a.md", "--repo", "r"],
            ([Path("docs/plans/a.md")], "text", False, Path("r"), False),
        ),
        (["--", "-odd.md"], ([Path("-odd.md")], "text", False, None, False)),
        (["--quiet"], ([], "text", False, None, True)),
        (["-q", "--no-cache"], ([], "text", True, None, True)),
    ],
)
def test_plain_arguments_are_read(
    args: list[str], parsed: tuple[list[Path], str, bool, Path | None, bool]
) -> None:
    assert check_plain.parse(args) == parsed


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--format", "yaml"],
        ["--format"],
        ["--format="],
        ["--format", "json", "--format", "text"],
        ["--repo"],
        ["--repo="],
        ["--no-cache", "--no-cache"],
        ["--quiet", "-q"],
        ["--verbose"],
        ["-"],
        [""],
    ],
)
def test_anything_else_is_left_to_click(args: list[str]) -> None:
    assert check_plain.parse(args) is None


def _run(capsys: pytest.CaptureFixture[str], main: object, args: list[str]) -> tuple[int, str, str]:
    code = main(args)  # type: ignore[operator]
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "extra",
    [[], ["--format", "json"], ["--format", "github"], ["--no-cache"], ["docs/plans/release.md"]],
)
def test_both_roads_print_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    root = tmp_path / "demo"
    shutil.copytree(REPO_ROOT / "examples" / "demo", root)
    args = [
        "check",
        "--repo",
        str(root),
        *[str(root / e) if e.endswith(".md") else e for e in extra],
    ]
    plain = _run(capsys, cli.main, args)
    through_click = _run(capsys, cli._click_main, args)
    assert plain == through_click
    assert plain[0] == 1 and "CH006" in plain[1]


def test_an_error_is_reported_by_click(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "charter.toml").write_text("no_such_key = 1\n")
    assert check_plain.main(["--repo", str(tmp_path)]) is None
    code, out, err = _run(capsys, cli.main, ["check", "--repo", str(tmp_path)])
    assert code == 2 and out == ""
    assert err.count("no_such_key") == 1 and err.startswith("charter: error:")


def test_help_still_lists_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, cli.main, ["check", "--help"])
    assert code == 0 and "CH001 parse-error" in out


def test_an_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(check_plain, "check_output", interrupted)
    assert check_plain.main([]) == 130
