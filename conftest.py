"""Doctests of the framing package run with the test suite (``--doctest-modules``). Examples that read the public
data sets skip, saying why, where those copies are absent."""

from __future__ import annotations

import pytest

# Doctests that read the shared copies of public data sets (framing.datasets); they skip where the copies are absent.
NEEDS_DATASETS = ("framing.datasets.load_", "framing.datasets.shared_datasets_dir")


@pytest.fixture(autouse=True)
def _skip_doctests_without_datasets(request):
    item = request.node
    if isinstance(item, pytest.DoctestItem) and item.name.startswith(NEEDS_DATASETS):
        from framing.datasets import shared_datasets_dir

        folder = shared_datasets_dir()
        if folder is None:
            pytest.skip("this example reads the public data sets (GVFC, BASIL, FNC-1, RUWA, MFC codes): put your "
                        "copies in shared/datasets/ beside the checkout or set FRAMING_SHARED_DATASETS; "
                        "framing.datasets says where to download each")
