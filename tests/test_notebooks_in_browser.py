"""The notebooks as a user sees them: JupyterLab in a real browser (Debian's Chromium, driven by playwright).

`pytest --nbmake` runs every notebook headless, with the Agg backend, and cannot see whether a figure is shown: notebook
05 once ran without error there while showing no figure in JupyterLab (an import switched matplotlib to Agg). This test
starts JupyterLab on a free port, opens each notebook (on a fresh kernel), clicks Run → Run All Cells, and asserts
that no cell shows an error and every cell that draws with ``framing.plots`` shows an image.

It works on copies of the notebooks in a temporary folder (the repository's files are never touched), with its own
JupyterLab settings: ``windowingMode`` "none", so that every cell is rendered, not only those in view.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from framing.paths import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOKS = sorted((PROJECT_DIR / "notebooks").glob("*.ipynb"))
PLOTS = re.compile(r"\bplots\.\w+\(")  # a cell that draws with framing.plots
LABELLER = re.compile(r"\blabeller\.widget\(\)")  # a cell that shows the labeller widget (framing.labeller)
NOTEBOOK_TIMEOUT_S = 900

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="the browser test of the notebooks needs Debian's Chromium at "
                                                     "/usr/bin/chromium (apt-get install chromium); .ci/run installs it"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving copies of the notebooks; yields (url, folder of the copies)."""
    pytest.importorskip("playwright", reason="the browser test needs the playwright package (pip install playwright)")
    root = tmp_path_factory.mktemp("lab")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, notebooks / notebook.name)
    settings = root / "settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}  # the kernel must plot inline
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={notebooks}",
         "--ServerApp.disable_check_xsrf=True", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         # CI runs as root in a container; JupyterLab refuses root unless told
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=(root / "server.log").open("w"), start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/lab", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(root / 'server.log').read_text()[-2000:]}")
                time.sleep(1)
        yield url, notebooks
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's process group; one that already exited (it failed to start) is not an error."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


# Reads the notebook as the page shows it: per cell, its kind, prompt, the text of error outputs and the images shown.
CELLS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    prompt: (cell.querySelector('.jp-InputPrompt') || {innerText: ''}).innerText.trim(),
    errors: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(o => o.innerText).filter(t => /Traceback|Error\\b/.test(t)),
    images: [...cell.querySelectorAll('.jp-OutputArea-output img')]
        .filter(img => img.complete && img.naturalWidth > 0).length,
}))"""


# The notebook scrolls inside the page: bring the first cell that failed, runs or waits to run, else the labeller,
# into view for the screenshot.
SHOW_TROUBLE_JS = """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const trouble = cells.find(c => /Traceback/.test(c.innerText) || /\\[\\*\\]|^\\[ \\]/.test(
        (c.querySelector('.jp-InputPrompt') || {innerText: ''}).innerText.trim()))
        || cells.find(c => c.querySelector('.widget-toggle-button'));
    if (trouble) trouble.scrollIntoView();
}"""


# True once a code cell has started: its prompt shows [*] or [n].
STARTED_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
    .some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))"""


def run_all_cells(page, url: str, name: str) -> None:
    """Open a notebook on a fresh kernel and run all cells from the Run menu; return once all have run or one has
    failed (a time-out raises playwright's TimeoutError)."""
    # ?reset: JupyterLab otherwise reopens the notebooks of earlier tests from its saved workspace beside this one,
    # and the menus act on whichever of them has focus (it restarted notebook 01's kernel while 02 never ran).
    page.goto(f"{url}/lab/tree/{name}?reset")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    # The kernel was started for this page, so it is fresh: Run All, not Restart and Run All, whose restart raced
    # with the new page's kernel connection (the server logged "Replacing stale connection", then dropped messages,
    # and no cell ever ran). If no cell has started after a minute anyway, reload and ask once more.
    for attempt in range(2):
        page.wait_for_timeout(2000)  # let the kernel connection settle
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.wait_for_function(STARTED_JS, timeout=60_000)
            break
        except Exception:
            if attempt:
                raise
            page.reload()
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    page.wait_for_function(
        """() => {
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
            const prompts = cells.map(c => c.querySelector('.jp-InputPrompt').innerText);
            const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
                .some(o => /Traceback \\(most recent call last\\)/.test(o.innerText));
            const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']") !== null;
            return failed || (idle && prompts.every(p => /\\[\\d+\\]/.test(p)));
        }""", timeout=NOTEBOOK_TIMEOUT_S * 1000, polling=1000)


def cells_shown(page) -> list[dict]:
    """The cells as the page shows them (see CELLS_JS)."""
    page.wait_for_timeout(1000)  # let the last images decode
    return page.evaluate(CELLS_JS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_jupyterlab_and_shows_its_figures(lab, browser, notebook):
    url, folder = lab
    sources = ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        try:
            run_all_cells(page, url, notebook.name)
        except Exception as error:  # a time-out: say where the notebook stood, and keep a screenshot
            _fail_with_screenshot(page, folder, notebook, "did not finish", error)
        cells = cells_shown(page)
        assert len(cells) == len(sources), "the page shows a different number of cells than the notebook holds"
        for number, (cell, source) in enumerate(zip(cells, sources)):
            if not cell["code"]:
                continue
            assert not cell["errors"], f"cell {number} shows an error:\n{cell['errors'][0][-1500:]}"
            assert re.fullmatch(r"\[\d+\]:", cell["prompt"]), f"cell {number} did not run (prompt {cell['prompt']!r})"
            if PLOTS.search(source) and not _skipped_for_missing_data(notebook, source):
                assert cell["images"] >= 1, f"cell {number} draws with framing.plots but shows no figure:\n{source}"
        if any(LABELLER.search(source) for source in sources):
            try:
                click_through_labels(page)
            except Exception as error:
                _fail_with_screenshot(page, folder, notebook, "labeller did not record the clicked labels", error)
    finally:
        page.close()


def _fail_with_screenshot(page, folder: Path, notebook: Path, what: str, error: Exception) -> None:
    """Fail saying where the notebook stood (the prompts), with a full-page screenshot and the server log's tail."""
    shot = folder.parent / f"{notebook.stem}.png"
    page.evaluate(SHOW_TROUBLE_JS)
    page.screenshot(path=str(shot), full_page=True)
    prompts = [cell["prompt"] for cell in page.evaluate(CELLS_JS) if cell["code"]]
    log = (folder.parent / "server.log").read_text()[-1500:]
    pytest.fail(f"{notebook.name}: {what} ({type(error).__name__}: {str(error)[:300]}); prompts {prompts}; "
                f"screenshot {shot}; server log:\n{log}")


def click_through_labels(page, clicks: int = 3) -> None:
    """In the labeller widget (framing.labeller) of notebook 06, label the next ``clicks`` paragraphs with frame 1, 2,
    3 … by clicking its toggle and Save; assert that the widget counts each and that the labels file holds them."""
    from playwright.sync_api import expect

    from framing.labels import load_labels
    from framing.study.border_wall import codebook

    widget = page.locator(".jp-OutputArea-output").filter(has=page.locator("button", has_text="Save (Enter)"))
    if widget.count() == 0 and page.get_by_text("skips its steps").count():
        return  # the notebook's data set is absent: it says so and shows no labeller
    status = widget.locator(".widget-html-content", has_text="labelled by")
    shown = re.match(r"(\d+) labelled by .+? · \d+ left · saved to (.+)$", status.inner_text().strip())
    assert shown, f"the labeller's status line reads {status.inner_text()!r}"
    path = Path(shown.group(2))
    # the notebook labels by code after showing the widget: the widget redraws, so it counts those labels too
    earlier = set(load_labels(path)["para_id"]) if path.exists() else set()
    before, book = len(earlier), codebook()
    assert int(shown.group(1)) == before, f"the widget shows {shown.group(1)} labels, {path} holds {before}"
    for k in range(clicks):
        widget.locator(".widget-toggle-button").nth(k).click()
        widget.locator("button", has_text="Save (Enter)").click()
        expect(status).to_contain_text(f"{before + k + 1} labelled by", timeout=60_000)
    labels = load_labels(path, book)
    new = labels[~labels["para_id"].isin(earlier)]
    assert sorted(new["labels"]) == sorted((key,) for key in book.names[:clicks]), (
        f"clicked frames {book.names[:clicks]}, {path} holds {list(new['labels'])} for the new rows")


def _skipped_for_missing_data(notebook: Path, source: str) -> bool:
    """Notebooks 05 and 06 draw only when their data set is present (they say so and skip those cells otherwise):
    RUWA for 05 (``if path is not None``), BASIL for 06 (``if HAVE_BASIL``)."""
    if "if path is not None" in source:
        from framing.study.figures import ruwa_path

        return ruwa_path() is None
    if "if HAVE_BASIL" in source:
        from framing.study.figures import basil_path

        return basil_path() is None
    return False
