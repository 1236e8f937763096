"""Jinja2 templates: the repo's `templates/<name>` overrides charter's default by file name.

StrictUndefined makes a misspelt variable an error naming the template and
line, not a silently blank cell. Autoescaping is on for HTML only: Markdown
and CSV are not HTML, and escaping `&` or `<` there would corrupt task text.

A repository's templates are written by whoever can write the checkout, agents
included, and render at the observe level (`board --check`). So every template
renders in Jinja2's sandbox: an attribute walk towards Python's internals
(`__class__`, `__subclasses__`, `__globals__`, ...) is an error naming the
template and line, never code that runs. Templates are compiled on each run
and nothing compiled is kept on disk: a bytecode cache in the work tree would
be code read from the work tree (and a flipped bit in it crashed the
interpreter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from charter.config import Config
from charter.errors import CharterError

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
_HTML_SUFFIXES = (".html", ".htm", ".html.j2", ".htm.j2", ".xml", ".xml.j2")


def render_template(config: Config, name: str, **context: Any) -> str:
    """Render template `name`, found in the repo's templates folder or charter's defaults."""
    import jinja2

    repo_templates = config.root / config.templates
    # Keyed by whether the override exists: Jinja2's cache would otherwise keep serving
    # the default to a long-running `charter watch` after someone adds an override.
    env = _environment(str(repo_templates), (repo_templates / name).is_file())
    try:
        template = env.get_template(name)
    except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError) as exc:
        raise _load_error(exc, config, name) from exc
    try:
        text: str = template.render(**context)
        return text
    except jinja2.TemplateError as exc:
        raise _render_error(exc, template.filename or name) from exc


def template_variables(config: Config, name: str) -> frozenset[str] | None:
    """The variables template `name` reads from its context (Jinja2's own analysis), so a
    caller can skip working out what a template never shows; None when it includes,
    imports or extends another template, which may read any variable."""
    from jinja2 import meta

    tree = template_tree(config, name)
    if any(True for _ in meta.find_referenced_templates(tree)):
        return None
    return frozenset(meta.find_undeclared_variables(tree))


def template_tree(config: Config, name: str) -> Any:
    """Template `name` parsed (a jinja2.nodes.Template), for a caller to analyse."""
    import jinja2

    env = _environment(str(config.root / config.templates), _overridden(config, name))
    try:
        source, filename, _ = env.loader.get_source(env, name)
        return env.parse(source, name, filename)
    except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError) as exc:
        raise _load_error(exc, config, name) from exc


def template_macros(config: Config, name: str) -> Callable[..., str]:
    """`render(macro, *args)`: the text of one macro of template `name`.

    The template is loaded with no variables, so what a macro renders depends
    on its arguments alone: a caller may keep the text and reuse it for the
    same arguments and the same template. Errors name the template and line.
    """
    import jinja2

    env = _environment(str(config.root / config.templates), _overridden(config, name))
    template = None
    try:
        template = env.get_template(name)
        module = template.make_module({})
    except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError) as exc:
        raise _load_error(exc, config, name) from exc
    except jinja2.TemplateError as exc:
        raise _render_error(exc, (template.filename if template else None) or name) from exc
    filename = template.filename or name

    def render(macro: str, *args: Any) -> str:
        function = getattr(module, macro, None)
        if function is None:
            raise CharterError(f"template {name} defines no macro {macro}", filename)
        try:
            return str(function(*args))
        except jinja2.TemplateError as exc:
            raise _render_error(exc, filename) from exc

    return render


def _load_error(exc: Exception, config: Config, name: str) -> CharterError:
    """A template that could not be found or parsed, as the error charter reports."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return CharterError(
            f"template syntax error: {exc.message}", exc.filename or name, exc.lineno
        )
    return CharterError(f"template {name} not found in {config.templates}/ or charter's defaults")


def _render_error(exc: Exception, filename: str) -> CharterError:
    """A template that failed while rendering, named by file and line."""
    from jinja2.exceptions import SecurityError

    line = _template_line(exc.__traceback__, filename)
    if isinstance(exc, SecurityError):
        return CharterError(
            f"template refused: {exc} (templates render in a sandbox: use the variables "
            "charter passes, not Python internals)",
            filename,
            line,
        )
    return CharterError(f"template error: {exc}", filename, line)


def _overridden(config: Config, name: str) -> bool:
    return (config.root / config.templates / name).is_file()


def template_path(config: Config, name: str) -> Path:
    """The file `name` resolves to: the repo's override when it has one."""
    override = config.root / config.templates / name
    return override if override.is_file() else PACKAGE_TEMPLATES / name


def _autoescape(name: str | None) -> bool:
    return name is not None and name.lower().endswith(_HTML_SUFFIXES)


@lru_cache(maxsize=16)
def _environment(repo_templates: str, overridden: bool) -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(repo_templates),
            jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)),
        ]
    )
    env = SandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["md_cell"] = md_cell
    env.filters["md_href"] = md_href
    env.filters["md_code"] = md_code
    return env


def _template_line(tb: TracebackType | None, filename: str) -> int | None:
    """The template line an error was raised at: Jinja2 rewrites frames to point at it."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# ---- filters ----------------------------------------------------------------

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_NEEDS_QUOTING = re.compile(r"[\s()<>\[\]]")


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    text = " ".join(str(value).split())
    return _UNESCAPED_PIPE.sub(r"\\|", text) if "|" in text else text


def md_href(path: str) -> str:
    """A link destination: percent-encoded only where Markdown would otherwise break it."""
    return quote(path, safe="/#:._-~@!$&'*+,;=%") if _NEEDS_QUOTING.search(path) else path


def md_code(value: object) -> str:
    """An inline code span that survives backticks in the text."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
