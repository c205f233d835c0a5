"""Safe writes: a file appears whole or not at all, and a user's file is never
overwritten unless they said so."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputExists(FileExistsError):
    def __init__(self, path: Path):
        super().__init__(f"{path} already exists; pass --force to overwrite it")
        self.path = path


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def check_writable(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise OutputExists(path)


@contextmanager
def atomic_path(path: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    check_writable(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _umask_mode())  # mkstemp makes it private; a map is not
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | Path, text: str, force: bool = False) -> Path:
    with atomic_path(path, force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@contextmanager
def atomic_dir(path: str | Path, force: bool = False) -> Iterator[Path]:
    """Like ``atomic_path`` for a set of files: they are written into a fresh folder
    and moved into ``path`` only when all of them succeeded."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path, prefix=".partial-"))
    try:
        yield tmp
        names = [p.name for p in tmp.iterdir()]
        for name in names:
            check_writable(path / name, force)
        for name in names:
            target = path / name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(tmp / name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def replace_many(writes: dict[Path, Callable[[Path], None]]) -> None:
    """Write several files so that either all are replaced or none is.

    Each writer fills a temporary file; only when every writer succeeded are the
    files moved into place (a rename each, so a reader never sees a torn file).
    """
    temps: dict[Path, Path] = {}
    try:
        for path, writer in writes.items():
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            temps[path] = Path(tmp)
            writer(temps[path])
        for path, tmp in temps.items():
            os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            if tmp.exists():
                tmp.unlink()
