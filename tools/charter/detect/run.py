"""Detection run end to end: find, configure, count the tasks each file holds."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from charter.config import Config, config_from_table
from charter.detect import Detection, detect
from charter.detect.report import config_toml
from charter.errors import CharterError
from charter.io import find_root
from charter.repo import load_repo


def detect_with_counts(repo_dir: Path | None) -> tuple[Detection, dict[str, int]]:
    root = find_root(repo_dir or Path.cwd())
    detection = detect(root)
    if not detection.found:
        return detection, {}
    config = (
        Config(root=root)
        if not detection.table
        else replace(config_from_table(root, detection.table, root / "charter.toml"), source=None)
    )
    repo = load_repo(config, use_cache=False)
    unknown = Counter(
        t.status.strip()
        for t in repo.tasks()
        if t.status and t.status.strip() and config.column_for_status(t.status) is None
    )
    if unknown:
        listed = ", ".join(f"{text!r} ({count})" for text, count in unknown.most_common(8))
        detection.reasons.append(
            (
                "status_map",
                f"{len(unknown)} status text(s) map to no column: {listed}; map the ones "
                "your team uses under [tool.charter.status_map] (until then they count as "
                f"{config.open_column} and `task next` leaves them out)",
            )
        )
    return detection, {plan.path: sum(1 for _ in plan.walk()) for plan in repo.plans}


def write_detected(directory: Path) -> tuple[Path, str]:
    """Write the detected configuration as DIRECTORY/charter.toml; never over a file."""
    target = directory / "charter.toml"
    if target.exists():
        raise CharterError("exists, left as it is (remove it to detect again)", target)
    detection, _ = detect_with_counts(directory.resolve())
    text = config_toml(detection)
    target.write_text(text, encoding="utf-8")
    return target, text
