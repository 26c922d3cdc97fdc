# Two commands do everything (see README): `make figures` and `make test`.
# Each builds the local virtual environment .venv on first use; later runs reuse it (no reinstall).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MPLBACKEND := Agg

.PHONY: figures test venv clean

figures: $(STAMP)
	$(VENV)/bin/framing figures --out build

test: $(STAMP)
	$(VENV)/bin/python -m pytest

venv: $(STAMP)

# torch==2.13.0 is pinned in pyproject.toml: pip takes the CPU build from this machine's local wheel folder.
$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed-*
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
		| { grep -v "is ignored: it is neither a file nor a directory" || true; }
	@touch $@

clean:
	rm -rf $(VENV) build
