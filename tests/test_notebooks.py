"""The notebooks run top to bottom in a fresh kernel, offline, and write nothing into the repository.

The kernel is this interpreter (``sys.executable -m ipykernel_launcher``) from a
kernelspec written into a temporary folder, so the test needs no kernel installed in
the user's Jupyter folders and cannot pick up another Python that lacks garrison.
Before the first cell the kernel refuses every connection to a host other than this
machine, so a notebook that reaches for the network fails here.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "garrison-tests"
#: generous: the first cell of the first notebook on a new machine builds the gazetteer index
CELL_TIMEOUT = 900
#: folders that change while anything runs (bytecode, caches) and are not the project's content
_SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".ipynb_checkpoints"}
#: where a careless notebook would change an existing file: itself, the bundled data, the outputs
_GUARDED = ("notebooks/", "layers/data/", "output/")
#: run in the kernel before the notebook: any Python-level connection to another host raises
#: (the kernel's own messaging goes through ZeroMQ on this machine and is not affected)
OFFLINE = """
def _offline():
    import socket

    connect = socket.socket.connect

    def refuse(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"a notebook tried to reach {address[0]}: the notebooks must run offline")
        return connect(self, address)

    socket.socket.connect = refuse


_offline()
del _offline
"""
#: what each notebook must show besides running without error: (mime type, text in it)
EXPECTED = {
    "01_gazetteer.ipynb": [("text/html", "ain-al-asad-air-base"), ("text/html", "Kurdistan Region"),
                           ("text/html", "erbil-air-base")],
    "02_control_over_time.ipynb": [("image/png", ""), ("text/html", "17 Jan 2026"), ("text/html", "http")],
    "03_maps_and_qgis.ipynb": [("text/html", "<iframe srcdoc="), ("text/html", "garrison.gpkg"),
                               ("text/html", "control_intervals")],
}


def test_the_three_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == sorted(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path: Path):
    """Stored without outputs, so diffs show only what people wrote."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook with no code"
    for n, cell in enumerate(code, 1):
        assert cell.outputs == [] and cell.execution_count is None, f"code cell {n} holds outputs"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def _kernel_manager(tmp: Path) -> AsyncKernelManager:
    spec = tmp / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "garrison (tests)", "language": "python",
    }))
    specs = KernelSpecManager(kernel_dirs=[str(tmp / "kernels")], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs,
                              connection_file=str(tmp / "connection.json"))


def _tree() -> dict[str, tuple[int, int]]:
    """Every project file with its size and modification time (paths relative, with "/")."""
    out = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
        for f in files:
            st = os.stat(os.path.join(folder, f))
            out[Path(folder, f).relative_to(ROOT).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def _outputs(nb, mime: str) -> list[str]:
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if mime in data:
                texts.append(data[mime] if isinstance(data[mime], str) else "".join(data[mime]))
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path):
    nb = nbformat.read(path, as_version=4)
    work = tmp_path / "cwd"
    work.mkdir()
    before = _tree()
    client = NotebookClient(nb, km=_kernel_manager(tmp_path), timeout=CELL_TIMEOUT,
                            extra_arguments=[f"--IPKernelApp.exec_lines={OFFLINE}"],
                            resources={"metadata": {"path": str(work)}})
    client.execute()  # raises CellExecutionError naming the cell that failed
    after = _tree()
    changed = sorted(k for k in after.keys() | before.keys()
                     if k not in before or (k.startswith(_GUARDED) and after.get(k) != before.get(k)))
    assert not changed, f"{path.name} wrote into the repository: {changed}"
    for mime, text in EXPECTED[path.name]:
        assert any(text in t for t in _outputs(nb, mime)), f"{path.name}: no {mime} output showing {text!r}"
