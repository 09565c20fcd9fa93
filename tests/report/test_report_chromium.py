"""The report in a real browser: headless Chromium loads it from disk and decodes its plots.

The report holds no script, so the browser loads a copy of it with one probe script added
before ``</body>``: on the window's ``load`` event (all images loaded or failed), it writes
each plot's ``naturalWidth``, the lineage SVG's size and the sections it finds into
``<pre id="probe">``, which ``--dump-dom`` prints. Each Chromium gets a fresh
``--user-data-dir`` and its own process group, which is killed afterwards; the test then
checks that no process of it is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from html import unescape
from pathlib import Path

import pytest

from datagen.catalog.card import version_card

CHROMIUM = "chromium"
CHROMIUM_TIMEOUT_S = 60
PROBE = """<script>
window.addEventListener("load", () => {  // every image has loaded (or failed) by now
  const plots = [...document.querySelectorAll("img.plot")];
  const svg = document.querySelector("#lineage svg");
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const found = {
    plots: plots.map((img) => ({ name: img.dataset.plot, width: img.naturalWidth,
                                 height: img.naturalHeight })),
    svg: { width: box.width, height: box.height,
           nodes: svg ? svg.querySelectorAll("g.node").length : 0 },
    samples: document.querySelectorAll("#rows section.sample").length,
    quarantine: document.querySelectorAll("#quarantine section.quarantine-group").length,
    diffs: document.querySelectorAll("#diffs section.diff").length,
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(found);
  document.body.appendChild(pre);
});
</script>"""


def _left_behind(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (the run's private profile folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found.append(int(entry.name))
    return found


def run_chromium(*args: str) -> tuple[str, float]:
    """Run headless Chromium with ``args`` in a new process group and a fresh profile; its
    stdout and seconds taken. Whatever it leaves running is killed and counted as a failure."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail("chromium is not installed: run scripts/setup-system.sh as root")
    profile = tempfile.mkdtemp(prefix="datagen-chromium-")
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
        "--no-first-run", "--disable-extensions", "--disable-background-networking",
        "--disable-crash-reporter", "--disable-breakpad", *args,
    ]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=CHROMIUM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"chromium took more than {CHROMIUM_TIMEOUT_S} s: {' '.join(command)}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # helpers still in its group
        taken = time.monotonic() - started
        deadline = time.monotonic() + 5
        while (left := _left_behind(profile)) and time.monotonic() < deadline:
            time.sleep(0.1)  # killed ones disappear once their parent reaps them
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(profile, ignore_errors=True)
    assert not left, f"chromium left processes behind: {left}"
    assert process.returncode == 0, stderr[-3000:]
    return stdout, taken


def test_chromium_decodes_every_plot_and_draws_the_lineage(
    written_report, report_store, tmp_path
) -> None:
    probe_page = tmp_path / "probe.html"
    head, tail = written_report.html.rsplit("</body>", 1)
    probe_page.write_text(head + PROBE + "</body>" + tail, encoding="utf-8")
    dom, taken = run_chromium("--virtual-time-budget=10000", "--dump-dom", probe_page.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, flags=re.S)
    assert found, f"the probe did not run; the DOM ends with {dom[-500:]!r}"
    seen = json.loads(unescape(found.group(1)))

    card = version_card(report_store.catalog, report_store.second)
    assert card.plots
    assert sorted(p["name"] for p in seen["plots"]) == sorted(p.name for p in card.plots)
    assert all(p["width"] > 0 and p["height"] > 0 for p in seen["plots"]), seen["plots"]
    assert seen["svg"]["width"] > 0 and seen["svg"]["height"] > 0
    assert seen["svg"]["nodes"] == written_report.html.count('<g class="node')
    assert seen["samples"] == written_report.rows
    assert seen["quarantine"] == 1 and seen["diffs"] == 1

    shot = tmp_path / "report.png"
    _, shot_taken = run_chromium(
        f"--screenshot={shot}", "--window-size=1280,2400", "--hide-scrollbars",
        written_report.path.as_uri(),
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    print(f"\nreport screenshot: {shot} (chromium: dump-dom {taken:.1f} s, screenshot "
          f"{shot_taken:.1f} s)")  # fmt: skip
