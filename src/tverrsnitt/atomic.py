"""Write outputs so that a reader never sees half of them: build aside, then move into place
(a whole folder for a report run, one file for an export) — and never over what is not ours.

An output folder replaces the folder at its destination, so the destination must be new,
empty, or a folder an earlier run wrote: such a folder carries a manifest (`MANIFEST`) listing
what that run wrote. The study folder, the current folder, a folder holding an input, and any
parent of these are refused, and so is a folder with anything the manifest does not list.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError

MANIFEST = ".tverrsnitt-output.json"
# Files other programs put beside a document they have open (Word, LibreOffice).
_LOCK_FILES = ("~$", ".~lock.")
LISTED_ENTRIES = 5


def _manifest_entries(folder: Path) -> set[str] | None:
    """The top-level names an earlier run wrote into `folder` (None: no readable manifest)."""
    try:
        written = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(written, list):
        return None
    return {Path(str(name)).parts[0] for name in written if str(name)}


def check_output_folder(destination: Path, inputs: Iterable[Path] = (), *,
                        option: str = "--out") -> None:
    """Refuse a destination whose replacement would destroy anything but an earlier output:
    the current folder or a parent of it, a folder holding one of `inputs` (the study folder,
    the data), a file, or a non-empty folder that an earlier run did not write."""
    target = destination.resolve()
    shown = str(destination)

    def refuse(why: str) -> UsageError:
        return UsageError(
            f"{option} {shown}: {why}. The output folder is replaced as a whole, so it must be "
            f"a new or empty folder, or one an earlier run wrote (it holds {MANIFEST}); pass "
            f"{option} with a new folder, such as {option} rapport.")

    cwd = Path.cwd().resolve()
    if target == cwd:
        raise refuse("this is the current folder")
    if cwd.is_relative_to(target):
        raise refuse(f"this folder holds the current folder ({cwd})")
    for path in inputs:
        held = path.resolve()
        if held == target:
            raise refuse(f"this is {path}, which the run reads")
        if held.is_relative_to(target):
            raise refuse(f"this folder holds {path}, which the run reads")
    if not target.exists():
        return
    if not target.is_dir():
        raise refuse("this is a file, not a folder")
    entries = sorted(e.name for e in target.iterdir() if not e.name.startswith(_LOCK_FILES))
    if not entries:
        return
    written = _manifest_entries(target)
    if written is None:
        listed = ", ".join(entries[:LISTED_ENTRIES]) + (" …" if len(entries) > LISTED_ENTRIES
                                                       else "")
        raise refuse(f"this folder is not empty ({len(entries)} entries: {listed}) and no "
                     "earlier run wrote it")
    foreign = [name for name in entries if name != MANIFEST and name not in written]
    if foreign:
        raise refuse(f"this folder holds {', '.join(foreign[:LISTED_ENTRIES])}, which the "
                     "earlier run did not write; move it out first")


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_folder(destination: Path, inputs: Iterable[Path] = (), *,
                  option: str = "--out") -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it gets a manifest of what it holds and
    replaces `destination` in one move. `check_output_folder` decides first whether the
    destination may be replaced."""
    check_output_folder(destination, inputs, option=option)
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-", dir=destination.parent))
    # mkdtemp makes the folder private; the finished folder gets the usual permissions.
    work.chmod(0o777 & ~current_umask())
    try:
        yield work
        files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
        (work / MANIFEST).write_text(json.dumps({"written_by": "tverrsnitt", "files": files},
                                                ensure_ascii=False, indent=1) + "\n",
                                     encoding="utf-8")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{work.name.rsplit('-', 1)[-1]}")
        destination.rename(old)
    work.rename(destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_file(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder: give the name of the file to write (a file "
                         "inside it, say).")
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; the export gets the usual permissions.
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
