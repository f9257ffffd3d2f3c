"""Write outputs so that a reader never sees half of them: build aside, then move into place
(a whole folder for a report run, one file for an export)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_folder(destination: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces `destination` in one move."""
    destination = destination.absolute()
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-", dir=destination.parent))
    # mkdtemp makes the folder private; the finished folder gets the usual permissions.
    work.chmod(0o777 & ~current_umask())
    try:
        yield work
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
