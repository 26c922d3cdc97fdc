"""Importing framing has no side effects: a notebook that imports any of its modules keeps its inline plots."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import importlib, pkgutil
import matplotlib
before = dict(matplotlib.rcParams)
import framing
names = [info.name for info in pkgutil.walk_packages(framing.__path__, "framing.")]
for name in names:
    importlib.import_module(name)
changed = sorted(key for key, value in matplotlib.rcParams.items() if str(before[key]) != str(value))
print(len(names), matplotlib.get_backend(), changed)
"""


def test_importing_every_module_leaves_matplotlib_and_the_working_folder_alone(tmp_path):
    # framing.figures used to call matplotlib.use("Agg") on import, which turned off inline plots for the whole kernel
    env = {**os.environ, "MPLBACKEND": "svg"}
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env, cwd=tmp_path,
                            check=True)
    modules, backend, changed = result.stdout.split(" ", 2)
    assert int(modules) > 30
    assert (backend, changed.strip()) == ("svg", "[]")
    assert list(tmp_path.iterdir()) == []
