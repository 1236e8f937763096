"""What an extraction would write: the members of an archive, the files of a patch.

`tar x`, `unzip`, `patch` and `git apply` write the paths their input names,
not the paths on their command line. The guard reads the input at decision
time and returns every path it would write (with `kind` "link" for symbolic
and hard links, which later commands would follow), or raises Unreadable when
it cannot read the input: an extraction the guard cannot list is refused.
"""

from __future__ import annotations

import os

MEMBER_LIMIT = 20_000
_PATCH_LIMIT = 8 * 1024 * 1024


class Unreadable(Exception):
    pass


def tar_members(path: str) -> list[tuple[str, str]]:
    """(name, kind) of each member: kind is "file", "dir", "link" or "special"."""
    import tarfile

    try:
        with tarfile.open(path, "r:*") as archive:
            out: list[tuple[str, str]] = []
            for member in archive:
                if len(out) >= MEMBER_LIMIT:
                    raise Unreadable(f"{path} has more than {MEMBER_LIMIT} members")
                if member.issym() or member.islnk():
                    kind = "link"
                elif member.isdir():
                    kind = "dir"
                elif member.isfile():
                    kind = "file"
                else:
                    kind = "special"
                out.append((member.name, kind))
            return out
    except (OSError, tarfile.TarError, EOFError, ValueError) as exc:
        raise Unreadable(f"cannot list {path}: {exc}") from exc


def zip_members(path: str) -> list[tuple[str, str]]:
    import stat
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            out: list[tuple[str, str]] = []
            for info in archive.infolist():
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    kind = "link"
                elif info.is_dir():
                    kind = "dir"
                else:
                    kind = "file"
                out.append((info.filename, kind))
                if len(out) > MEMBER_LIMIT:
                    raise Unreadable(f"{path} has more than {MEMBER_LIMIT} members")
            return out
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise Unreadable(f"cannot list {path}: {exc}") from exc


def patch_files(path: str) -> list[tuple[str, str]]:
    """(name as written in the patch, kind) for every file a unified/context/git diff touches."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_PATCH_LIMIT + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read {path}: {exc.strerror}") from exc
    if len(data) > _PATCH_LIMIT:
        raise Unreadable(f"{path} is larger than {_PATCH_LIMIT // (1024 * 1024)} MiB")
    text = data.decode("utf-8", "surrogateescape")
    out: list[tuple[str, str]] = []
    link = False
    for line in text.splitlines():
        if line.startswith("diff --git "):
            link = False
            for name in line[len("diff --git ") :].split():
                out.append((name, "file"))
        elif line.startswith(("--- ", "+++ ", "*** ")) and not line.startswith(
            ("*** ***", "--- ---")
        ):
            name = line[4:].split("\t", 1)[0].strip()
            if name.startswith('"'):
                raise Unreadable("quoted file names in a patch are not read by the guard")
            if name and name != "/dev/null" and not name.endswith(" ****"):
                out.append((name, "link" if link else "file"))
        elif line.startswith(("rename to ", "copy to ", "rename from ", "copy from ")):
            out.append((line.split(" ", 2)[2], "file"))
        elif line.startswith(("new file mode 120000", "new mode 120000", "old mode 120000")):
            link = True
            out.append(("", "link"))
        elif line.startswith("Index: "):
            out.append((line[7:].strip(), "file"))
        elif line.startswith(("GIT binary patch", "Binary files ")):
            out.append(("", "binary"))
    return out


def member_problem(name: str, kind: str) -> str | None:
    """Why an archive member may not be written wherever it lands, or None."""
    if kind == "link":
        return "creates a symbolic or hard link (later commands would follow it)"
    if kind == "binary":
        return "holds a binary patch the guard cannot read"
    if kind == "special":
        return "creates a device, FIFO or other special file"
    if not name:
        return "names no file"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return f"names an absolute path ({name})"
    if ".." in name.replace("\\", "/").split("/"):
        return f"names a path with `..` ({name})"
    return None


def strip_components(name: str, count: int) -> str | None:
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if len(parts) <= count:
        return None
    return os.path.join(*parts[count:])
