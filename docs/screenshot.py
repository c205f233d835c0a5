"""The README's picture: the snapshot map of the bundled data on its latest date, as headless
Chromium draws it.  ``make docs`` runs it; the tests never write into the repository.

    python docs/screenshot.py [OUT.png]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from layers import maps
from layers.dataset import load
from layers.fileio import atomic_path
from layers.timeline import Timeline

OUT = Path(__file__).parent / "images" / "snapshot.png"


def main(out: Path = OUT) -> None:
    exe = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if exe is None:
        sys.exit("screenshot: Chromium is needed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    tl = Timeline.from_dataset(load())
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "snapshot.html"
        page_file.write_text(maps.snapshot_map(tl, tl.last_date()), encoding="utf-8")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(page_file.as_uri())
            page.wait_for_selector(".garrison-site")
            out.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(out, force=True) as tmp:
                page.screenshot(path=str(tmp), type="png")
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
