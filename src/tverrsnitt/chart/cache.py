"""Rendered charts kept by what determines them, so a rebuild draws only the charts that changed.

A chart's SVG and PNG are a function of its `ChartData` (every number, label and colour choice
the renderer sees), the drawing code and the libraries that draw and encode it (matplotlib,
Pillow). The drawing code counts as all of tverrsnitt's source, not only this package's: the
renderers use the number formatting and the study's layout constants, and an edit anywhere
must never leave an old chart in place. The key hashes all of them: any change to one gives a new key,
so a cached file is byte for byte the file a fresh drawing would write. Files are written to a
temporary name and renamed, so a reader never sees half a chart, and several builds at once
may share the folder.

The folder is `$TVERRSNITT_CACHE`, else `$XDG_CACHE_HOME/tverrsnitt` (`~/.cache/tverrsnitt`);
`TVERRSNITT_CACHE=off` (or `report --no-cache`) draws every chart. It holds only the charts the
reports print, after small-cell suppression.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .data import ChartData

OFF = {"off", "0", "no", "false", ""}


def default_folder() -> Path | None:
    """Where charts are kept, or None when caching is switched off."""
    setting = os.environ.get("TVERRSNITT_CACHE")
    if setting is not None:
        return None if setting.strip().lower() in OFF else Path(setting).expanduser() / "charts"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tverrsnitt" / "charts"


@functools.cache
def _code() -> bytes:
    """What, besides the chart data, decides the bytes of a chart file."""
    import matplotlib
    import PIL

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"matplotlib {matplotlib.__version__} Pillow {PIL.__version__}".encode())
    return digest.digest()


class ChartCache:
    """A folder of charts by key; `hits` and `misses` count what one build found."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def key(self, data: ChartData) -> str:
        # repr of the frozen dataclasses is exact: floats print as their shortest round trip.
        return hashlib.sha256(_code() + repr(data).encode("utf-8")).hexdigest()

    def fetch(self, key: str, svg: Path, png: Path) -> bool:
        """Copy a kept chart to `svg` and `png`; False when there is none (or no cache)."""
        if self.folder is None:
            return False
        kept_svg, kept_png = self._paths(key)
        try:
            shutil.copyfile(kept_svg, svg)
            shutil.copyfile(kept_png, png)
        except OSError:
            self.misses += 1
            return False
        self.hits += 1
        return True

    def keep(self, key: str, svg: Path, png: Path) -> None:
        """Keep a freshly drawn chart; a folder that cannot be written only costs the speed-up."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # The PNG first: fetch copies the SVG first, and a chart counts as kept only once
            # both are in place.
            for source, target in zip((png, svg), reversed(self._paths(key)), strict=True):
                handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
                os.close(handle)
                try:
                    shutil.copyfile(source, temporary)
                    os.replace(temporary, target)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
        except OSError:
            pass

    def _paths(self, key: str) -> tuple[Path, Path]:
        assert self.folder is not None
        return self.folder / f"{key}.svg", self.folder / f"{key}.png"
