"""A repository made by `charter init`, with code in four languages and secrets beside it.

Built once per session (git init, `charter init`, a commit) and copied per
module. `.env` and `secrets/` are ignored by git, as in most projects; the
class-4 battery adds forbidden files git does not ignore.
"""

from __future__ import annotations

from pathlib import Path

from tests.governed import init_charter_repo, write

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


def build_init_repo(root: Path) -> Path:
    init_charter_repo(root, FILES)
    for rel, text in SECRET_FILES.items():
        write(root, rel, text)
    return root
