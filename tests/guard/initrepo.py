"""A repository made by `charter init`, with code in four languages and secrets beside it.

Built once per session (git init, `charter init`, a commit) and copied per
module. `.env` and `secrets/` are ignored by git, as in most projects; the
class-4 battery adds forbidden files git does not ignore.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SECRET = "charter-test-secret-7c1e"

FILES = {
    "src/app.py": "def main():\n    return 'hello'\n",
    "src/other.py": "def other():\n    return 'other'\n",
    "tests/test_app.py": "from src.app import main\n\n\ndef test_ok():\n    assert main()\n",
    "README.md": "# demo\n\nTODO: more\n",
    "docs/guide.md": "# guide\n",
    "docs/notes.md": "# notes\n",
    "package.json": '{"name": "demo", "scripts": {"test": "jest"}}\n',
    "Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\n',
    "go.mod": "module example.com/demo\n\ngo 1.22\n",
    ".gitignore": ".env\nsecrets/\n",
}
SECRET_FILES = {".env": f"API_TOKEN={SECRET}\n", "secrets/api.txt": f"{SECRET}\n"}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def build_init_repo(root: Path) -> Path:
    from charter.scaffold import init_repo

    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    init_repo(root, git_hooks=False)  # a fixture, not a test of the hooks
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    for rel, text in SECRET_FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
