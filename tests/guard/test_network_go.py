"""go's module downloads as network commands: where they go, from the environment and go.mod."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.guard.network import golang
from charter.guard.network.reach import Reach

GO_MOD = """\
module example.com/demo

go 1.22

require (
\tgithub.com/a/b v1.0.0
\tgolang.org/x/text v0.3.0 // indirect
)

require rsc.io/quote v1.5.2
"""
DEFAULT = ["proxy.golang.org"]
SUMDB = ["sum.golang.org"]


@pytest.mark.parametrize(
    ("args", "env", "hosts", "problem"),
    [
        (["mod", "download"], {}, [*DEFAULT, "github.com", "golang.org", "rsc.io", *SUMDB], None),
        (["get", "x.example/y"], {}, [*DEFAULT, "x.example", *SUMDB], None),
        (["install", "golang.org/x/tools/cmd/stringer@latest"], {},
         [*DEFAULT, "golang.org", *SUMDB], None),
        (["run", "-v", "github.com/x/y@v1"], {}, [*DEFAULT, "github.com", *SUMDB], None),
        (["install", "x.example/y@v1"], {"GOPROXY": "https://goproxy.example"},
         ["goproxy.example", *SUMDB], None),
        (["install", "x.example/y@v1"], {"GOPROXY": "off"}, [], None),
        (["install", "x.example/y@v1"], {"GOPROXY": "direct", "GOSUMDB": "off"},
         ["x.example"], None),
        (["install", "mycorp/tool@v1"], {"GOPROXY": "direct"}, [], "does not name"),
        (["install", "x.example/y@v1"], {"HTTPS_PROXY": "http://proxy.example:3128"},
         [*DEFAULT, "x.example", *SUMDB, "proxy.example"], None),
        (["mod", "download", "-modfile=alt.mod"], {}, [], "another module file"),
        # these stay on the machine as far as their arguments say
        (["test", "./..."], {}, [], None),
        (["build", "./cmd/x"], {}, [], None),
        (["install", "./cmd/x"], {}, [], None),
        (["run", "."], {}, [], None),
    ],
)  # fmt: skip
def test_where_go_fetches_modules(
    args: list[str], env: dict[str, str], hosts: list[str], problem: str | None, tmp_path: Path
) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD, encoding="utf-8")
    reach = golang.go(Reach("go", env, str(tmp_path), str(tmp_path)), args)
    if problem is None:
        assert reach.problem is None
        assert sorted(reach.hosts) == sorted(hosts)
    else:
        assert reach.problem is not None and problem in reach.problem
