"""Probe framing with bad input, faults and crafted files, and count the outcomes (issue 12).

    .venv/bin/python benchmarks/probes.py                  # probe this checkout
    .venv/bin/python benchmarks/probes.py --code OLD_TREE  # probe another source tree (e.g. `git archive` of a commit)
    .venv/bin/python benchmarks/probes.py --quick          # leave out the two probes that run the whole figure build

Each probe runs in its own process and is classified as
  ok     the run succeeded and its result is right (e.g. a damaged cache file reported and recomputed),
  clear  a FramingError: exit status 2 and one line `framing: error: …` (or the API raised FramingError),
  crash  a traceback, another exit status, a time-out or running out of memory,
  silent the run succeeded but its result is wrong (columns shifted, a file skipped unseen, HTML that runs, …).
A fixed framing gives only ok and clear. Some probes need root (they run a command as `nobody` to meet real permission
errors, and mount a 256 KiB tmpfs for a full disk); without root those are reported as "skipped".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
META = ("---\narticle_id: {id}\noutlet: Wire\noutlet_kind: western-wire\ndate: 2023-09-14\ntitle: {title}\n"
        "url: https://example.org/a\nlanguage: en\nlicence: CC0\nprovenance: collected\n---\n")
HEADER = "article_id,outlet,outlet_kind,date,title,url,language,licence,provenance,text\n"
ROW = "{id},Wire,western-wire,2023-09-14,{title},https://example.org/{id},en,CC0,collected,\"{text}\"\n"
STAND_IN = textwrap.dedent("""
    import hashlib, time
    import numpy as np
    class StandIn:
        name, revision = "stand-in", "1"
        def __init__(self, delay=0.0):
            self.delay = delay
        def encode(self, texts):
            time.sleep(self.delay)
            rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:32], dtype=np.uint32) for t in texts]
            return np.array(rows, dtype=np.float64) / 2**32 - 0.5
""")
PROBES: list[dict] = []


def probe(item: str, name: str, **spec):
    PROBES.append({"item": item, "name": name, **spec})


def md(folder: Path, name: str, article_id: str, body: str, title: str = "A title") -> Path:
    path = folder / name
    path.write_text(META.format(id=article_id, title=title) + body)
    return path


def jsonl_rows(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# --- 1: a damaged byte in a cache shard's .npy header ---------------------------------------------------------------
for _file, _offset, _byte in [("keys", 10, '"'), ("keys", 11, "("), ("vectors", 10, '"'), ("vectors", 11, "(")]:
    probe("1", f"cache shard {_file}.npy, byte {_offset} = {_byte!r}", py=STAND_IN + textwrap.dedent(f"""
        from pathlib import Path
        from framing import Embedder
        texts = ["one text", "another text"]
        first = Embedder(StandIn(), cache_dir="cache").embed(texts)
        (path,) = Path("cache").rglob("shard-*.{_file}.npy")
        data = bytearray(path.read_bytes()); data[{_offset}] = ord({_byte!r}); path.write_bytes(bytes(data))
        again = Embedder(StandIn(), cache_dir="cache").embed(texts)
        third = Embedder(StandIn(), cache_dir="cache").embed(texts)
        print("SAME" if np.array_equal(first, again) and np.array_equal(first, third) else "DIFFERENT")
    """), check=lambda out, err, tmp: "ok" if "SAME" in out else "silent")

# --- 2: user-supplied names written into HTML -----------------------------------------------------------------------
for _name in ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '" onmouseover="alert(3)']:
    probe("2", f"styled_shares with outlet kind {_name[:18]!r}", py=textwrap.dedent(f"""
        import pandas as pd
        from framing.display import styled_shares
        shares = pd.DataFrame({{"outlet_kind": [{_name!r}, "plain"], "frame": ["denial", {_name!r}], "share": 0.5,
                               "ci_low": 0.2, "ci_high": 0.8, "paragraphs": 4, "frame_paragraphs": 2, "articles": 1}})
        html = styled_shares(shares).to_html()
        print("RAW" if any(s in html for s in ("<script", "<img", '" onmouseover="')) else "ESCAPED")
    """), check=lambda out, err, tmp: "ok" if "ESCAPED" in out else "silent")
probe("2", "FramedArticle with a hostile position and kind", py=textwrap.dedent("""
    import pandas as pd
    from framing.display import FramedArticle
    framed = pd.DataFrame({"article_id": "a", "para_id": ["a:p0"], "position": ["<img src=x onerror=alert(1)>"],
                           "kind": "body", "text": ["Text."], "frames": [("denial",)], "outlet": "<script>x</script>",
                           "outlet_kind": '" onmouseover="y'})
    html = FramedArticle(framed, "a")._repr_html_()
    print("RAW" if any(s in html for s in ("<script", "<img", '" onmouseover="')) else "ESCAPED")
"""), check=lambda out, err, tmp: "ok" if "ESCAPED" in out else "silent")

# --- 3: ragged CSV rows -------------------------------------------------------------------------------------------
probe("3", "CSV row with one field too many", files={"r.csv": "article_id,title,text\na1,T1,b1,The ambassador spoke.\n"},
      cli=["segment", "--no-metadata", "r.csv"], old_cli=["segment", "r.csv"],
      check=lambda out, err, tmp: "silent")
probe("3", "CSV row with one field too few", files={"r.csv": "article_id,title,text\na1,T1,One.\na2,T2\n"},
      cli=["segment", "--no-metadata", "r.csv"], old_cli=["segment", "r.csv"],
      check=lambda out, err, tmp: "silent")

# --- 4: files skipped silently in a folder --------------------------------------------------------------------------
for _file in ["License-plate-fraud-2023.txt", "readme_first.txt", "_draft2023.txt"]:
    probe("4", f"folder holding {_file}", files={"c/a.txt": "Title A\nBody A.\n", f"c/{_file}": "Title B\nBody B.\n"},
          cli=["segment", "--no-metadata", "c"], old_cli=["segment", "c"],
          check=lambda out, err, tmp: "ok" if len({r["article_id"] for r in jsonl_rows(out)}) == 2 else "silent")
probe("4", "folder with an orphan .meta.yaml", files={"c/a.txt": "Title A\nBody A.\n", "c/gone.meta.yaml": "outlet: X\n"},
      cli=["segment", "--no-metadata", "c"], old_cli=["segment", "c"], check=lambda out, err, tmp: "silent")
probe("4", "folder with an unreadable subfolder (as nobody)", as_nobody=True,
      files={"c/a.txt": "Title A\nBody A.\n", "c/locked/b.txt": "Title B\nBody B.\n"}, chmod={"c/locked": 0o000},
      cli=["segment", "--no-metadata", "c"], old_cli=["segment", "c"], check=lambda out, err, tmp: "silent")
probe("4", "folder with README.md (documented: skipped and listed)",
      files={"c/a.txt": "Title A\nBody A.\n", "c/README.md": "# about\n"},
      cli=["segment", "--no-metadata", "c"], old_cli=["segment", "c"],
      check=lambda out, err, tmp: "ok" if "README.md" in err and len(jsonl_rows(out)) == 2 else "silent")

# --- 5: paragraphs of only zero-width or bidi characters ------------------------------------------------------------
for _chars in ["\u200b", "\ufeff\u200b", "\u2066\u2069"]:
    probe("5", f"paragraph of only {ascii(_chars)}", files={"z.txt": f"Title\nReal sentence.\n\n{_chars}\n\nMore text.\n"},
          cli=["segment", "--no-metadata", "z.txt"], old_cli=["segment", "z.txt"],
          check=lambda out, err, tmp: "ok" if len(jsonl_rows(out)) == 3 else "silent")

# --- 6: long paragraphs (over the model's 256 word pieces) ----------------------------------------------------------
for _label, _text in [("a 1,521-character Chinese paragraph", "金正恩抵达俄罗斯与普京举行会谈。" * 95 + "金"),
                      ("180 Russian words", " ".join(["Президент", "заявил", "журналистам,", "что", "переговоры",
                                                      "продолжатся", "на", "следующей", "неделе."] * 20))]:
    probe("6", f"embed {_label}", py=textwrap.dedent(f"""
        import inspect
        from framing import Embedder
        text = {_text!r}
        if "long_texts" in inspect.signature(Embedder).parameters:
            embedder = Embedder(show_progress=False)
            windowed = embedder.embed([text])[0]
            truncated = Embedder(long_texts="truncate", use_cache=False, show_progress=False).embed([text])[0]
            seen = embedder.last_stats["windowed"] == 1 and not (windowed == truncated).all()
        else:  # an embedder without windows cuts every text at the model's 256 word pieces, unsaid
            Embedder(show_progress=False).embed([text])
            seen = False
        print("WINDOWED" if seen else "TRUNCATED")
    """), check=lambda out, err, tmp: "ok" if "WINDOWED" in out else "silent")

# --- 7: an interrupted or repeated `framing figures` run (the whole build: left out with --quick) -------------------
probe("7", "figures interrupted while drawing", slow=True, warm_cache=True, py=textwrap.dedent("""
    from pathlib import Path
    from framing import plots
    from framing.study import figures
    out = Path("build"); (out / "tables").mkdir(parents=True)
    (out / "manifest.json").write_text("{}"); (out / "tables" / "articles.csv").write_text("old")
    def stop(*a, **k): raise KeyboardInterrupt
    plots.frame_map = stop
    try:
        figures.build_figures(out, ruwa=False)
    except KeyboardInterrupt:
        pass
    print("UNTOUCHED" if (out / "tables" / "articles.csv").read_text() == "old" else "MIXED")
"""), old_py_module="framing.figures", check=lambda out, err, tmp: "ok" if "UNTOUCHED" in out else "silent")
probe("7", "figures into a used folder", slow=True, warm_cache=True, py=textwrap.dedent("""
    from pathlib import Path
    from framing.study import figures
    out = Path("build"); (out / "tables").mkdir(parents=True); (out / "tables" / "stale.csv").write_text("old")
    figures.build_figures(out, ruwa=False)
    print("STALE" if (out / "tables" / "stale.csv").exists() else "CLEAN")
"""), old_py_module="framing.figures", check=lambda out, err, tmp: "ok" if "CLEAN" in out else "silent")

# --- 8: YAML aliases in a corpus header ---------------------------------------------------------------------------
_BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(7)])
probe("8", f"{len(_BOMB) + 60}-byte header with nested aliases", memory_gb=2, timeout=60,
      files={"bomb.md": f"---\narticle_id: bomb\ntitle: T\n{_BOMB}\n---\nBody.\n"},
      cli=["segment", "--no-metadata", "bomb.md"], old_cli=["segment", "bomb.md"], check=lambda out, err, tmp: "silent")

# --- 9: OS errors ---------------------------------------------------------------------------------------------------
probe("9", "input is a symbolic link loop", links={"loop.txt": "loop.txt"}, cli=["segment", "--no-metadata", "loop.txt"],
      old_cli=["segment", "loop.txt"], check=lambda out, err, tmp: "silent")
probe("9", "input file unreadable (as nobody)", as_nobody=True, files={"u.txt": "Title\nBody.\n"},
      chmod={"u.txt": 0o000}, cli=["segment", "--no-metadata", "u.txt"], old_cli=["segment", "u.txt"],
      check=lambda out, err, tmp: "silent")
probe("9", "embed --out is a folder", files={"a.md": META.format(id="a", title="T") + "Body.\n", "v.npz/x": ""},
      cli=["embed", "a.md", "--out", "v.npz"], check=lambda out, err, tmp: "silent")
probe("9", "embed --out in a read-only folder (as nobody)", as_nobody=True,
      files={"a.md": META.format(id="a", title="T") + "Body.\n", "ro/x": ""}, chmod={"ro": 0o555},
      cli=["embed", "a.md", "--out", "ro/v.npz"], check=lambda out, err, tmp: "silent")
probe("9", "figures --out is a file", files={"build": "a file"}, cli=["figures", "--out", "build"],
      check=lambda out, err, tmp: "silent")
probe("9", "read-only cache, texts not cached yet (as nobody)", as_nobody=True, py=textwrap.dedent("""
    import os
    from framing.cli import main
    assert main(["embed", "a.md", "--out", "first.npz"]) == 0      # fills the cache
    for folder, _, names in os.walk("cache"):                   # then it becomes read-only
        for name in names:
            os.chmod(os.path.join(folder, name), 0o444)
        os.chmod(folder, 0o555)
"""), then_cli=["embed", "b.md", "--out", "v.npz"],
      files={"a.md": META.format(id="a", title="T") + "A body.\n",
             "b.md": META.format(id="b", title="T") + "Another body, not in the cache yet.\n"},
      check=lambda out, err, tmp: "ok" if (tmp / "v.npz").exists() else "silent")
probe("9", "cache on a full disk (256 KiB tmpfs)", tmpfs="cache", cache="cache",
      py=STAND_IN + textwrap.dedent("""
        from pathlib import Path
        from framing import Embedder
        texts = [f"paragraph {i}" for i in range(10000)]
        vectors = Embedder(StandIn(), cache_dir="cache", show_progress=False).embed(texts)
        again = Embedder(StandIn(), cache_dir="cache", show_progress=False).embed(texts)
        left = [p.name for p in Path("cache").rglob("*") if ".tmp" in p.name]
        print("GOOD" if vectors.shape == (10000, 8) and np.array_equal(vectors, again) and not left else f"BAD {left}")
      """), check=lambda out, err, tmp: "ok" if "GOOD" in out else "silent")

# --- 10: concurrent runs on one cache -------------------------------------------------------------------------------
probe("10", "three concurrent embed runs, 3,000 texts, one cache", timeout=600, py=STAND_IN + textwrap.dedent("""
    import subprocess, sys, textwrap
    from pathlib import Path
    worker = textwrap.dedent('''
        import sys, time
        from pathlib import Path
        exec(open("standin.py").read())
        from framing import Embedder
        while not Path("go").exists(): time.sleep(0.01)
        Embedder(StandIn(0.4), cache_dir="cache", show_progress=False).embed([f"text {i}" for i in range(3000)])
    ''')
    Path("worker.py").write_text(worker)
    runs = [subprocess.Popen([sys.executable, "worker.py"]) for _ in range(3)]
    time.sleep(1.0); Path("go").write_text("")
    assert all(run.wait() == 0 for run in runs)
    rows = sum(len(np.load(p)) for p in Path("cache").rglob("shard-*.keys.npy"))
    print(f"ROWS {rows}")
"""), standin=True, check=lambda out, err, tmp: "ok" if "ROWS 3000" in out else "silent")

# --- 11: JSON Lines ------------------------------------------------------------------------------------------------
_GOOD = json.dumps({"article_id": "a1", "title": "T", "text": "Body."})
probe("11", "JSONL line that is an array", files={"j.jsonl": _GOOD + "\n[1, 2]\n"}, cli=["segment", "--no-metadata", "j.jsonl"],
      old_cli=["segment", "j.jsonl"], check=lambda out, err, tmp: "silent")
probe("11", "JSONL line that is a string", files={"j.jsonl": _GOOD + '\n"text"\n'}, cli=["segment", "--no-metadata", "j.jsonl"],
      old_cli=["segment", "j.jsonl"], check=lambda out, err, tmp: "silent")
probe("11", "JSONL line that is null", files={"j.jsonl": _GOOD + "\nnull\n"}, cli=["segment", "--no-metadata", "j.jsonl"],
      old_cli=["segment", "j.jsonl"], check=lambda out, err, tmp: "silent")
probe("11", "JSONL malformed line 3 (named by line?)", files={"j.jsonl": _GOOD + "\n" + _GOOD.replace("a1", "a2") + "\n{oops\n"},
      cli=["segment", "--no-metadata", "j.jsonl"], old_cli=["segment", "j.jsonl"], error_must_match="line 3",
      check=lambda out, err, tmp: "silent")

# --- 12: crafted detector files ------------------------------------------------------------------------------------
CRAFT = textwrap.dedent("""
    import json, sys
    import numpy as np
    from framing.detector_files import _packaged
    with np.load(_packaged("default")) as data:
        arrays = dict(data)
    header = json.loads(str(arrays.pop("header")))
    def save(header, arrays, raw=None):
        np.savez("crafted.npz", header=raw if raw is not None else json.dumps(header), **arrays)
""")
for _label, _change in [
    ("header not JSON", "save(header, arrays, raw='{oops')"),
    ("header a JSON list", "save(header, arrays, raw='[1]')"),
    ("header without 'kind'", "header.pop('kind'); save(header, arrays)"),
    ("header without 'params'", "header.pop('params'); save(header, arrays)"),
    ("unknown kind", "header['kind'] = 'svm'; save(header, arrays)"),
    ("params a list", "header['params'] = [1]; save(header, arrays)"),
    ("unknown parameter", "header['params']['gamma'] = 1; save(header, arrays)"),
    ("frames not a list", "header['frames'] = 5; save(header, arrays)"),
    ("no header array", "np.savez('crafted.npz', **arrays)"),
    ("coef_ array missing", "arrays.pop('coef_'); save(header, arrays)"),
]:
    probe("12", f"detector file: {_label}", py=CRAFT + _change + "\n", then_cli=["frames", "--detector", "crafted.npz",
          "a.md"], files={"a.md": META.format(id="a", title="T") + "Moscow denied supplying any weapons.\n"},
          check=lambda out, err, tmp: "silent")
probe("12", "detector file: two frame names swapped", py=CRAFT + textwrap.dedent("""
    header['frames'][0], header['frames'][1] = header['frames'][1], header['frames'][0]; save(header, arrays)
"""), then_cli=["frames", "--detector", "crafted.npz", "a.md"],
      files={"a.md": META.format(id="a", title="T") + "Moscow denied supplying any weapons.\n"},
      check=lambda out, err, tmp: "silent")
probe("12", "detector file: NaN coefficients", py=CRAFT + "arrays['coef_'] = arrays['coef_'] * np.nan; save(header, arrays)\n",
      then_cli=["frames", "--detector", "crafted.npz", "a.md"],
      files={"a.md": META.format(id="a", title="T") + "Moscow denied supplying any weapons.\n"},
      check=lambda out, err, tmp: "silent")

# --- 13: ids --------------------------------------------------------------------------------------------------------
probe("13", "article_id 'abc\\n' in a JSONL corpus", files={"j.jsonl": json.dumps({"article_id": "abc\n", "text": "Body."}) + "\n"},
      cli=["segment", "--no-metadata", "j.jsonl"], old_cli=["segment", "j.jsonl"], check=lambda out, err, tmp: "silent")
probe("13", "--unit paragraph with duplicate para_id", files={"p.jsonl": '{"para_id": "x", "text": "One."}\n'
                                                                        '{"para_id": "x", "text": "Two."}\n'},
      cli=["frames", "--unit", "paragraph", "--detector", "codebook", "p.jsonl"], check=lambda out, err, tmp: "silent")
probe("13", "--unit paragraph with an empty para_id", files={"p.jsonl": '{"para_id": "", "text": "One."}\n'},
      cli=["frames", "--unit", "paragraph", "--detector", "codebook", "p.jsonl"], check=lambda out, err, tmp: "silent")
probe("13", "--unit paragraph keeps the user's id column", files={"p.csv": "doc,text\nD-17,Moscow denied it.\n"},
      cli=["frames", "--unit", "paragraph", "--detector", "codebook", "p.csv"],
      check=lambda out, err, tmp: "ok" if all(r.get("doc") == "D-17" and r.get("article_id") in (None,)
                                              for r in jsonl_rows(out)) else "silent")

# --- 14: the same rules in the CLI as in load_corpus ----------------------------------------------------------------
probe("14", "segment a CSV without 'outlet'", files={"n.csv": "article_id,title,text\nx1,T,One paragraph.\n"},
      cli=["segment", "n.csv"], check=lambda out, err, tmp: "silent")

# --- 15: a body that begins with its own title ----------------------------------------------------------------------
probe("15", "body repeating the title", files={"t.txt": "Kim arrives in Russia\nKIM ARRIVES IN RUSSIA.\nKim arrived.\n"},
      cli=["segment", "--no-metadata", "t.txt"], old_cli=["segment", "t.txt"],
      check=lambda out, err, tmp: "ok" if len(jsonl_rows(out)) == 2 else "silent")

# --- contracts -----------------------------------------------------------------------------------------------------
probe("contract", "CodebookDetector(top_k=0)", py=textwrap.dedent("""
    import numpy as np
    from framing.detectors import CodebookDetector
    d = CodebookDetector(top_k=0).fit()
    print("NAN" if np.isnan(d.predict_proba(np.ones((1, 384), dtype=np.float32))).any() else "FINE")
"""), check=lambda out, err, tmp: "silent" if "NAN" in out else "ok")
probe("contract", "detector.score with label sets", py=textwrap.dedent("""
    from framing.detector_files import load_detector
    d = load_detector("codebook")
    print("SCORE", d.score(["Moscow denied supplying any weapons."], [("denial",)]))
"""), check=lambda out, err, tmp: "ok" if "SCORE" in out else "silent")
probe("contract", "codebook with an unknown label (CodebookError is a FramingError?)", py=textwrap.dedent("""
    from framing.codebook import load_codebook
    load_codebook().validate_labels(["accusation;denail"])
"""), check=lambda out, err, tmp: "silent")
probe("contract", "dataset loader on a folder without the file", py=textwrap.dedent("""
    from framing.datasets import load_gvfc
    load_gvfc(".")
"""), check=lambda out, err, tmp: "silent")
probe("contract", "importing the figure build keeps the matplotlib backend", env={"MPLBACKEND": "svg"},
      py="import matplotlib\nimport framing.study.figures\nprint('BACKEND', matplotlib.get_backend())\n",
      old_py_module="framing.figures",
      check=lambda out, err, tmp: "ok" if "BACKEND svg" in out else "silent")
probe("contract", "frames column read back from CSV ('a;b')", py=textwrap.dedent("""
    import pandas as pd
    from framing.compare import article_counts
    framed = pd.DataFrame({"article_id": ["a", "a"], "outlet": "W", "frames": ["denial;accusation", "denial"]})
    counts = article_counts(framed, "outlet")
    print("COUNTS", int(counts["denial"].iloc[0]), int(counts["accusation"].iloc[0]))
"""), check=lambda out, err, tmp: "ok" if "COUNTS 2 1" in out else "silent")

# --- found by the property-based tests ------------------------------------------------------------------------------
probe("hypothesis", "Markdown header with an empty article_id", files={"e.md": "---\narticle_id: ''\n---\nBody.\n"},
      cli=["segment", "--no-metadata", "e.md"], old_cli=["segment", "e.md"],
      check=lambda out, err, tmp: "ok" if jsonl_rows(out) and jsonl_rows(out)[0]["article_id"] == "e" else "silent")
probe("hypothesis", "YAML header with an escaped surrogate pair", files={"s.md": '---\ntitle: "\\ud83d\\ude42"\n---\nBody.\n'},
      cli=["segment", "--no-metadata", "s.md"], old_cli=["segment", "s.md"],
      check=lambda out, err, tmp: "ok" if jsonl_rows(out) and jsonl_rows(out)[0]["text"] == "\U0001f642" else "silent")
probe("hypothesis", "modelled_on given as a number", files={"m.md": "---\nmodelled_on: 0\n---\nBody.\n"},
      cli=["segment", "--no-metadata", "m.md"], old_cli=["segment", "m.md"], check=lambda out, err, tmp: "silent")


# --- running ---------------------------------------------------------------------------------------------------------

WRAP = textwrap.dedent("""
    import sys, warnings
    warnings.simplefilter("ignore")
    from framing.errors import FramingError
    try:
        exec(compile(open("probe_snippet.py").read(), "probe_snippet.py", "exec"))
    except FramingError as error:
        print("framing: error:", " ".join(str(error).split()), file=sys.stderr)
        sys.exit(2)
""")


# The virtual environment installs this checkout as an editable package, through an import hook that would supply
# any module the probed tree lacks (e.g. framing.outputs) from this checkout; the hook is removed for other trees.
ISOLATE = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                    and "editable" not in getattr(f, "__name__", "").lower()]
"""


def _warm_cache() -> Path:
    """The runner's own embedding cache (the figure build embeds the whole corpus: a cold cache takes minutes)."""
    if os.environ.get("FRAMING_CACHE_DIR"):
        return Path(os.environ["FRAMING_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "framing"


def run_probe(spec: dict, code: Path, old: bool) -> tuple[str, str]:
    """(outcome, detail) for one probe, run in a fresh temporary folder."""
    if (spec.get("as_nobody") or spec.get("tmpfs")) and os.geteuid() != 0:
        return "skipped", "needs root"
    tmp = Path(tempfile.mkdtemp(prefix="framing-probe-"))
    os.chmod(tmp, 0o777)
    mounted = None
    try:
        for name, text in spec.get("files", {}).items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            if not name.endswith("/x") or text:
                (tmp / name).write_text(text)
        for name, target in spec.get("links", {}).items():
            (tmp / name).symlink_to(target)
        if spec.get("tmpfs"):
            mounted = tmp / spec["tmpfs"]
            mounted.mkdir(exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=777", "tmpfs", str(mounted)], check=True)
        for name, mode in spec.get("chmod", {}).items():
            os.chmod(tmp / name, mode)
        if spec.get("standin"):
            (tmp / "standin.py").write_text(STAND_IN)
        path = str(code)
        if code != ROOT:  # only the other tree's framing: a module it lacks must not come from this checkout
            (tmp / "probe_site").mkdir()
            (tmp / "probe_site" / "sitecustomize.py").write_text(ISOLATE)
            path = f"{tmp / 'probe_site'}{os.pathsep}{code}"
        env = {**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               "MPLBACKEND": "Agg", "FRAMING_CACHE_DIR": str(_warm_cache() if spec.get("warm_cache")
                                                             else tmp / spec.get("cache", "cache")),
               "FRAMING_CORPUS": str(ROOT / "corpus"), **spec.get("env", {})}
        if spec.get("as_nobody"):
            env["HOME"] = str(tmp)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if spec.get("as_nobody") else []
        limit = spec.get("memory_gb")

        def limits():
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit * 2**30, limit * 2**30))

        def call(args):
            try:
                return subprocess.run(prefix + args, cwd=tmp, env=env, capture_output=True, text=True,
                                      timeout=spec.get("timeout", 900), preexec_fn=limits)
            except subprocess.TimeoutExpired:
                return None

        if "py" in spec:
            snippet = spec["py"]
            if old and spec.get("old_py_module") and not (code / "framing" / "study" / "figures.py").exists():
                snippet = snippet.replace("framing.study.figures", spec["old_py_module"]).replace(
                    "from framing.study import figures", "from framing import figures")
            (tmp / "probe_snippet.py").write_text(snippet)
            (tmp / "probe_wrap.py").write_text(WRAP)
            result = call([sys.executable, "probe_wrap.py"])
            if result is not None and result.returncode == 0 and "then_cli" in spec:
                result = call([sys.executable, "-m", "framing.cli", *spec["then_cli"]])
        else:
            args = spec["old_cli"] if old and "old_cli" in spec else spec["cli"]
            result = call([sys.executable, "-m", "framing.cli", *args])
        if result is None:
            return "crash", "timed out"
        err_lines = [line for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in err_lines if line.startswith("framing: error:")]
        if "Traceback (most recent call last)" in result.stderr or result.returncode not in (0, 2):
            last = err_lines[-1] if err_lines else f"exit {result.returncode}"
            return "crash", last[:160]
        if result.returncode == 2:
            if len(errors) == 1 and (not spec.get("error_must_match") or spec["error_must_match"] in errors[0]):
                return "clear", errors[0][:160]
            return "crash", f"status 2 without one clear line: {err_lines[-1][:120] if err_lines else ''}"
        verdict = spec["check"](result.stdout, result.stderr, tmp)
        return verdict, (result.stdout.strip().splitlines() or [""])[-1][:160]
    finally:
        if mounted is not None:
            subprocess.run(["umount", str(mounted)], check=False)
        subprocess.run(["chmod", "-R", "u+rwx", str(tmp)], check=False)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="source tree whose framing package is probed")
    parser.add_argument("--old", action="store_true", help="the tree predates issue 12 (no --no-metadata flag, "
                                                           "framing.figures instead of framing.study.figures)")
    parser.add_argument("--quick", action="store_true", help="leave out the probes that run the whole figure build")
    parser.add_argument("--only", default=None, help="run only probes of this item (e.g. 12)")
    parser.add_argument("--json", type=Path, default=None, help="also write the outcomes as JSON")
    args = parser.parse_args()
    outcomes = []
    for spec in PROBES:
        if (args.quick and spec.get("slow")) or (args.only and spec["item"] != args.only):
            continue
        outcome, detail = run_probe(spec, args.code.resolve(), args.old)
        outcomes.append({"item": spec["item"], "probe": spec["name"], "outcome": outcome, "detail": detail})
        print(f"{spec['item']:>10}  {outcome:<7}  {spec['name']}  | {detail}", flush=True)
    counts = {kind: sum(o["outcome"] == kind for o in outcomes) for kind in ("ok", "clear", "crash", "silent", "skipped")}
    print(f"\n{len(outcomes)} probes: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    if args.json:
        args.json.write_text(json.dumps(outcomes, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
