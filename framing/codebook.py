"""Frame codebooks: the packaged default (``load_codebook()``) or your own in YAML/TOML (``load_codebook(path)``)."""
import html
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import yaml

from .errors import CodebookError
from .yaml_files import load_yaml

_KEY = re.compile(r"[a-z][a-z0-9_]*")
_TOP_KEYS = {"name", "version", "description", "multi_label", "fallback", "frames"}
_FRAME_TEXT = ("label", "definition", "apply_when", "not_when")  # label defaults to the key; the rules to ""


@dataclass(frozen=True)
class Frame:
    """One frame: key, label, definition, coding rules, exemplars; e.g. ``load_codebook()["denial"].definition``."""
    name: str
    label: str
    definition: str
    apply_when: str
    not_when: str
    exemplars: tuple[str, ...]


@dataclass(frozen=True)
class Codebook:
    """Ordered frames plus an optional fallback frame (used only when no other applies).

    >>> cb = load_codebook(); len(cb), cb.fallback, "ridicule" in cb, [f.name for f in cb][-1]
    (10, 'factual_report', True, 'factual_report')
    """
    name: str
    version: int
    frames: tuple[Frame, ...]
    fallback: str | None = None
    description: str = ""
    multi_label: bool = True
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        index = {f.name: f for f in self.frames}
        if len(index) != len(self.frames) or (self.fallback is not None and self.fallback not in index):
            raise CodebookError(f"codebook {self.name!r}: duplicate frame names or unknown fallback {self.fallback!r}")
        object.__setattr__(self, "_index", index)

    @property
    def names(self) -> list[str]:
        """Frame keys in file order, e.g. ``load_codebook().names[0] == 'accusation'``."""
        return [f.name for f in self.frames]

    def __getitem__(self, name: str) -> Frame:
        if name not in self._index:
            raise KeyError(f"no frame {name!r} in codebook {self.name!r}; frames: {', '.join(self.names)}")
        return self._index[name]

    def __contains__(self, name) -> bool:
        return name in self._index

    def __len__(self) -> int:
        return len(self.frames)

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def exemplar_table(self) -> pd.DataFrame:
        """One row per exemplar, columns ``frame`` and ``text``, in codebook order.

        >>> load_codebook().exemplar_table().query("frame == 'denial'").shape
        (8, 2)
        """
        return pd.DataFrame([(f.name, t) for f in self.frames for t in f.exemplars], columns=["frame", "text"])

    def validate_labels(self, labels) -> None:
        """Raise CodebookError naming every label that is not a frame key of this codebook.

        ``labels``: a string (``"accusation;denial"``, split on ``;``) or an iterable (e.g. a ``labels`` column) of
        such strings or of lists of keys; empty and NaN cells are skipped.
        >>> load_codebook().validate_labels(["accusation;denial", "", ["legality"]])
        >>> load_codebook().validate_labels(["accusation;denail"])  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        framing.codebook.CodebookError: codebook 'framing-default': unknown label(s) 'denail'; frames: accusation, ...
        """
        if unknown := sorted({lab for lab in _flatten(labels) if lab not in self._index}):
            raise CodebookError(f"codebook {self.name!r}: unknown label(s) {', '.join(map(repr, unknown))}; "
                                f"frames: {', '.join(self.names)}")

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(f"<tr><td><code>{e(f.name)}</code>{' (fallback)' if f.name == self.fallback else ''}</td>"
                       f"<td>{e(f.label)}</td><td style='text-align:left'>{e(f.definition)}</td>"
                       f"<td>{len(f.exemplars)}</td></tr>" for f in self.frames)
        return (f"<p><b>{e(self.name)}</b> v{self.version}: {len(self)} frames</p><table><thead><tr><th>frame</th>"
                f"<th>label</th><th>definition</th><th>exemplars</th></tr></thead><tbody>{rows}</tbody></table>")


def _flatten(labels) -> Iterator[str]:
    if isinstance(labels, str):
        yield from (part.strip() for part in labels.split(";") if part.strip())
    elif isinstance(labels, Iterable):
        for item in labels:
            yield from _flatten(item)
    elif labels is not None and not (isinstance(labels, float) and math.isnan(labels)):
        yield str(labels)


def _parse(text: str, where: str, suffix: str) -> object:
    try:
        return tomllib.loads(text) if suffix == ".toml" else load_yaml(text)
    except tomllib.TOMLDecodeError as e:
        raise CodebookError(f"{where}: not valid TOML: {e}") from None
    except yaml.YAMLError as e:
        line = f" (line {e.problem_mark.line + 1})" if getattr(e, "problem_mark", None) else ""
        raise CodebookError(f"{where}: not valid YAML{line}: {getattr(e, 'problem', None) or e}") from None


def _frame(where: str, key, spec) -> Frame:
    here = f"{where}: frame {key!r}"
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise CodebookError(f"{here}: key must be a lower-case identifier ([a-z][a-z0-9_]*)")
    if not isinstance(spec, dict):
        raise CodebookError(f"{here}: must be a mapping of {', '.join(_FRAME_TEXT)}, exemplars")
    if missing := [r for r in ("definition", "exemplars") if r not in spec]:
        raise CodebookError(f"{here}: missing {missing[0]!r}")
    if extra := sorted(set(map(str, spec)) - set(_FRAME_TEXT) - {"exemplars"}):
        raise CodebookError(f"{here}: unknown field(s) {', '.join(map(repr, extra))}")
    text = {}
    for name in _FRAME_TEXT:
        value = spec.get(name, key.replace("_", " ").capitalize() if name == "label" else "")
        if not isinstance(value, str) or (name in ("label", "definition") and not value.strip()):
            raise CodebookError(f"{here}: {name!r} must be a non-empty string")
        text[name] = " ".join(value.split())
    ex = spec["exemplars"]
    if not isinstance(ex, list) or not ex or not all(isinstance(s, str) and s.strip() for s in ex):
        raise CodebookError(f"{here}: 'exemplars' must be a list of at least 1 non-empty string")
    return Frame(key, exemplars=tuple(s.strip() for s in ex), **text)


def load_codebook(path: str | os.PathLike | None = None) -> Codebook:
    """Load a codebook: the packaged default when ``path`` is None, else a ``.yaml``/``.yml``/``.toml`` file.

    Required: ``frames``, a non-empty mapping of lower-case keys to frames, each with ``definition`` and a list of
    ``exemplars`` (``label``, ``apply_when``, ``not_when`` optional). Optional: ``name`` (default: file stem),
    ``version`` (default 1), ``description``, ``multi_label`` (default true), ``fallback`` (a frame key).

    Example: ``load_codebook()`` (the default) or ``load_codebook("my_codebook.toml")``.
    """
    if path is None:
        where, suffix = "framing/data/codebook.yaml", ".yaml"
        text = resources.files(__package__ or "framing").joinpath("data", "codebook.yaml").read_text("utf-8")
    else:
        p = Path(path)
        where, suffix = str(p), p.suffix.lower()
        if suffix not in (".yaml", ".yml", ".toml"):
            raise CodebookError(f"{where}: unknown codebook file extension {p.suffix!r} (use .yaml, .yml or .toml)")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise CodebookError(f"{where}: not UTF-8 text (byte at offset {e.start})") from None
        except OSError as e:
            raise CodebookError(f"{where}: cannot be read ({e.strerror or e})") from None
    data = _parse(text, where, suffix)
    if not isinstance(data, dict):
        raise CodebookError(f"{where}: expected a mapping with a 'frames' entry at the top level")
    if extra := sorted(set(map(str, data)) - _TOP_KEYS):
        raise CodebookError(f"{where}: unknown top-level key(s) {', '.join(map(repr, extra))}")
    frames = data.get("frames")
    if not isinstance(frames, dict) or not frames:
        raise CodebookError(f"{where}: no frames (expected a non-empty 'frames' mapping)")
    parsed = tuple(_frame(where, k, v) for k, v in frames.items())
    if (fallback := data.get("fallback")) is not None and fallback not in frames:
        raise CodebookError(f"{where}: fallback {fallback!r} is not one of the frames")
    optional = {"name": (str, Path(where).stem, "a non-empty string"), "version": (int, 1, "an integer"),
                "multi_label": (bool, True, "true or false"), "description": (str, "", "a string")}
    for key, (kind, default, what) in optional.items():
        value = data.setdefault(key, default)
        wrong_type = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        if wrong_type or (key == "name" and not value.strip()):
            raise CodebookError(f"{where}: {key!r} must be {what}")
    return Codebook(name=data["name"], version=data["version"], frames=parsed, fallback=fallback,
                    description=" ".join(data["description"].split()), multi_label=data["multi_label"])
