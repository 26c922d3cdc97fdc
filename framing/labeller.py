"""Label paragraphs in JupyterLab, most useful first, every label saved as it is made.

>>> labeller = Labeller(paragraphs, codebook, "my_labels.csv", coder="ana")    # doctest: +SKIP
>>> labeller.widget()                                                         # doctest: +SKIP

The widget shows the paragraph in context (title, outlet, the paragraphs before and after), one toggle per frame
(its definition on hover), and Save, Skip and Undo. Keyboard: type frame numbers in the box (``1 3``) and press
Enter to save them; Enter on an empty box saves "no frame"; ``s`` + Enter skips, ``u`` + Enter undoes.

Everything the widget does goes through the same methods (``current``, ``label``, ``skip``, ``undo``, ``report``),
so it runs, and is tested, without a browser. Each label is written at once to the labels file (``framing.labels``
format: ``para_id, labels, coder, text_sha256, seconds, labelled_at``) by an atomic replace, so a killed kernel loses
nothing; a new ``Labeller`` on the same file resumes where the last one stopped.

What to label next: on a cold start (fewer than ``MIN_START`` labels, or no frame with both a labelled yes and a
labelled no), the zero-shot detector's scores; afterwards the current ``StudyDetector``'s, retrained every
``retrain_every`` labels. Paragraphs closest to a frame's threshold come first, spread out so that near-copies are not
asked in a row (``framing.training.suggest``). ``seconds`` records how long each paragraph was on screen.
"""

from __future__ import annotations

import html
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .detectors import CodebookDetector, paragraph_features
from .errors import FramingError, FramingWarning
from .labels import load_labels, write_labels
from .realtext import text_hash
from .training import MIN_LABELS, StudyDetector, suggest

MIN_START = 10
LABEL_COLUMNS = ["para_id", "labels", "coder", "text_sha256", "seconds", "labelled_at"]


class Labeller:
    """Active-learning labeller over a paragraphs table for one coder; see the module docstring."""

    def __init__(self, paragraphs: pd.DataFrame, codebook: Codebook, path: str | Path, *, coder: str = "1",
                 embedder=None, pool=None, body_only: bool = True, batch: int = 10, retrain_every: int = 10,
                 diversity: float = 0.3, min_labels: int = MIN_LABELS, random_state: int = 0, clock=time.monotonic):
        missing = [c for c in ("para_id", "article_id", "text") if c not in paragraphs.columns]
        if missing:
            raise FramingError(f"the labeller needs a paragraphs table (framing.segment); it lacks "
                               f"{', '.join(missing)}")
        self.paragraphs = paragraphs.reset_index(drop=True)
        self.codebook, self.path, self.coder = codebook, Path(path), str(coder)
        self.embedder, self.batch, self.retrain_every = embedder, batch, retrain_every
        self.diversity, self.min_labels, self.random_state, self.clock = diversity, min_labels, random_state, clock
        eligible = np.ones(len(self.paragraphs), dtype=bool)
        if body_only and "kind" in self.paragraphs.columns:
            eligible &= (self.paragraphs["kind"] == "body").to_numpy()
        if pool is not None:
            eligible &= self.paragraphs["para_id"].isin(set(pool)).to_numpy()
        self._eligible = eligible
        self._row = {pid: i for i, pid in enumerate(self.paragraphs["para_id"])}
        self.labels = self._read_existing()
        self._history: list[tuple[str, str]] = []  # ("label" | "skip", para_id), for undo
        self._skipped: set[str] = set()
        self._queue: list[str] = []
        self._since_training = 0
        self._shown_at = None
        self.detector_ = None
        self._features = None
        self._on_change: list = []  # views to redraw after any label, skip or undo, whoever made it
        self._refresh()

    # -- state ---------------------------------------------------------------------------------------------------
    def _read_existing(self) -> pd.DataFrame:
        if self.path.exists():
            table = load_labels(self.path, self.codebook)
            if table.attrs["level"] != "paragraph":
                raise FramingError(f"{self.path}: holds article labels; the labeller writes paragraph labels")
            unknown = sorted(set(table["para_id"]) - set(self._row))
            if unknown:
                raise FramingError(f"{self.path}: labels for {len(unknown)} paragraph(s) not in this corpus, e.g. "
                                   f"{unknown[0]!r}: open the labeller on the corpus these labels were made for")
            return table.reindex(columns=list(dict.fromkeys([*LABEL_COLUMNS, *table.columns])))
        return pd.DataFrame(columns=LABEL_COLUMNS)

    def mine(self) -> pd.DataFrame:
        """This coder's labels so far, in the order they were made."""
        return self.labels[self.labels["coder"] == self.coder]

    @property
    def done(self) -> set[str]:
        return set(self.mine()["para_id"])

    @property
    def remaining(self) -> int:
        """Paragraphs in the pool this coder has not labelled (skipped ones included)."""
        return int(sum(self._eligible[self._row[p]] for p in self.paragraphs["para_id"] if p not in self.done))

    @property
    def current(self) -> pd.Series | None:
        """The paragraph to label now (a row of the paragraphs table), or None when the pool is exhausted."""
        if not self._queue:
            self._refresh()
        if not self._queue:
            return None
        if self._shown_at is None:
            self._shown_at = self.clock()
        return self.paragraphs.iloc[self._row[self._queue[0]]]

    # -- actions -------------------------------------------------------------------------------------------------
    def label(self, frames, para_id: str | None = None) -> None:
        """Save ``frames`` (frame keys; empty for "no frame applies") for the current paragraph, then move on."""
        frames = [frames] if isinstance(frames, str) else list(frames)
        unknown = [f for f in frames if f not in self.codebook]
        if unknown:
            raise FramingError(f"{', '.join(map(repr, unknown))} not in codebook {self.codebook.name!r} (frames: "
                               f"{', '.join(self.codebook.names)})")
        current = self.current
        if current is None:
            raise FramingError("nothing left to label in this pool")
        if para_id is not None and para_id != current["para_id"]:
            raise FramingError(f"the labeller shows {current['para_id']!r}, not {para_id!r}")
        seconds = self.clock() - self._shown_at if self._shown_at is not None else np.nan
        row = {"para_id": current["para_id"], "labels": tuple(n for n in self.codebook.names if n in frames),
               "coder": self.coder, "text_sha256": text_hash(current["text"]), "seconds": round(float(seconds), 2),
               "labelled_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self.labels = pd.concat([self.labels, pd.DataFrame([row])], ignore_index=True)
        self._save()
        self._history.append(("label", row["para_id"]))
        self._advance()
        self._since_training += 1
        if self._since_training >= self.retrain_every:
            self._refresh()
        self._changed()

    def skip(self) -> None:
        """Leave the current paragraph unlabelled for now (it is not suggested again in this session)."""
        current = self.current
        if current is None:
            return
        self._skipped.add(current["para_id"])
        self._history.append(("skip", current["para_id"]))
        self._advance()
        self._changed()

    def undo(self) -> str | None:
        """Take back the last label or skip of this session (the label is removed from the file) and show that
        paragraph again; returns its para_id, or None when there is nothing to undo."""
        if not self._history:
            return None
        action, para_id = self._history.pop()
        if action == "label":
            mine = (self.labels["para_id"] == para_id) & (self.labels["coder"] == self.coder)
            self.labels = self.labels[~mine].reset_index(drop=True)
            self._save()
            self._since_training = max(0, self._since_training - 1)
        else:
            self._skipped.discard(para_id)
        self._queue.insert(0, para_id)
        self._shown_at = None
        self._changed()
        return para_id

    def _changed(self) -> None:
        for redraw in self._on_change:
            redraw()

    def _advance(self) -> None:
        self._queue.pop(0)
        self._shown_at = None

    def _save(self) -> None:
        table = self.labels.copy()
        table.attrs.clear()
        write_labels(table, self.path)

    # -- suggestions ---------------------------------------------------------------------------------------------
    def _cold(self) -> bool:
        mine = self.mine()
        if len(mine) < MIN_START:
            return True
        has = np.array([[f in row for f in self.codebook.names] for row in mine["labels"]])
        return not ((has.sum(axis=0) > 0) & ((~has).sum(axis=0) > 0)).any()

    def _all_features(self) -> np.ndarray:
        if self._features is None:
            self._features = paragraph_features(self.paragraphs["text"].tolist(), self.embedder)
        return self._features

    def scores(self) -> tuple[np.ndarray, np.ndarray]:
        """Scores of every paragraph and the thresholds they are judged against: zero-shot on a cold start, the
        current StudyDetector's afterwards."""
        features = self._all_features()
        if self._cold():
            self.detector_ = CodebookDetector(codebook=self.codebook, embedder=self.embedder).fit()
            vectors = features[:, : self.detector_.exemplar_vectors_.shape[1]]
            return self.detector_.predict_proba(vectors), self.detector_.thresholds_
        mine = self.mine()
        rows = [self._row[p] for p in mine["para_id"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)  # few labels per frame is the normal state here
            self.detector_ = StudyDetector(codebook=self.codebook, embedder=self.embedder,
                                           min_labels=self.min_labels, random_state=self.random_state)
            self.detector_.fit(self.paragraphs["text"].iloc[rows].tolist(), mine["labels"].tolist())
        return self.detector_.predict_proba(features), self.detector_.thresholds_

    def suggestions(self, n: int | None = None) -> list[str]:
        """The next ``n`` para_ids to label, most informative first (recomputed from the current labels)."""
        scores, thresholds = self.scores()
        done = self.done | self._skipped
        candidates = np.array([i for i in np.flatnonzero(self._eligible)
                               if self.paragraphs["para_id"].iat[i] not in done], dtype=int)
        features = self._all_features()
        vectors = features[:, : features.shape[1] // 2]  # the paragraph part of [paragraph | sentence max]
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        order = suggest(scores, thresholds, vectors, candidates, n or self.batch, diversity=self.diversity)
        return [self.paragraphs["para_id"].iat[candidates[i]] for i in order]

    def _refresh(self) -> None:
        current = self._queue[0] if self._queue and self._shown_at is not None else None
        fresh = [p for p in self.suggestions() if p != current]
        self._queue = ([current] if current else []) + fresh
        self._since_training = 0

    # -- feedback ------------------------------------------------------------------------------------------------
    def report(self, *, folds: int = 5, steps: int = 4) -> dict[str, pd.DataFrame]:
        """Cross-validated F1 per frame with intervals (``scores``), a learning curve (``curve``) and how many more
        labels each frame needs (``needs``), from this coder's labels so far."""
        from .training import cross_validate, learning_curve

        labels = self.mine().copy()
        labels.attrs.update(level="paragraph", unit="para_id", frames=self.codebook.names)
        if len(labels) < 2 * folds:
            raise FramingError(f"{len(labels)} labels so far; cross-validation needs at least {2 * folds}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FramingWarning)
            scores = cross_validate(self.paragraphs, labels, self.codebook, folds=folds, embedder=self.embedder,
                                    random_state=self.random_state, n_boot=300)
            curve = learning_curve(self.paragraphs, labels, self.codebook, steps=steps, folds=folds,
                                   embedder=self.embedder, random_state=self.random_state)
        return {"scores": scores, "curve": curve, "needs": labels_needed(labels, self.codebook.names)}

    def widget(self):
        """The ipywidgets interface (needs ``ipywidgets``; shown in JupyterLab or VS Code notebooks)."""
        return _LabellerWidget(self).box


def labels_needed(labels: pd.DataFrame, names: list[str], *, target: int = 20) -> pd.DataFrame:
    """Per frame: positives so far, their rate among labelled paragraphs, and about how many more labels it takes
    to reach ``target`` positives at that rate (a rough guide: the rate of the next paragraphs may differ)."""
    n = len(labels)
    rows = []
    for name in names:
        positives = int(sum(name in row for row in labels["labels"]))
        rate = positives / n if n else 0.0
        more = max(0, target - positives)
        rows.append({"frame": name, "positives": positives, "rate": rate,
                     "more_labels": int(np.ceil(more / rate)) if rate > 0 else (0 if more == 0 else np.nan),
                     "advice": (f"about {int(np.ceil(more / rate))} more labels for {target} {name} examples"
                                if more and rate else f"{name}: enough examples for now" if not more else
                                f"no {name} example yet: look for one (the labeller's zero-shot suggestions help)")})
    return pd.DataFrame(rows)


def labelling_template(paragraphs: pd.DataFrame, codebook: Codebook, *, n: int = 100, strategy: str = "uncertainty",
                       labels=None, embedder=None, random_state: int = 0) -> pd.DataFrame:
    """The ``n`` paragraphs to label next as a spreadsheet template: ``para_id``, ``article_id``, ``outlet``,
    ``title``, ``text``, ``labels`` (empty: fill in frame keys joined by ';'), ``coder``, ``text_sha256``.

    ``strategy="uncertainty"`` orders them as the labeller would (after training on ``labels`` if given);
    ``"random"`` draws them at random with the seed. Already labelled paragraphs are left out.
    """
    import tempfile

    done = set(load_labels(labels, codebook)["para_id"]) if labels is not None else set()
    body = paragraphs[(paragraphs["kind"] == "body") if "kind" in paragraphs.columns else slice(None)]
    pool = [p for p in body["para_id"] if p not in done]
    if strategy == "random":
        chosen = list(np.random.default_rng(random_state).permutation(pool)[:n])
    elif strategy == "uncertainty":
        with tempfile.TemporaryDirectory() as scratch:
            scratch_file = Path(scratch) / "labels.csv"
            if labels is not None:
                existing = load_labels(labels, codebook)
                existing["coder"] = "template"
                write_labels(existing, scratch_file)
            labeller = Labeller(paragraphs, codebook, scratch_file, coder="template", embedder=embedder,
                                pool=pool, random_state=random_state)
            chosen = labeller.suggestions(n)
    else:
        raise FramingError(f"strategy must be 'uncertainty' or 'random', not {strategy!r}")
    rows = paragraphs.set_index("para_id").loc[chosen].reset_index()
    titles = paragraphs[paragraphs.get("kind", pd.Series("", index=paragraphs.index)) == "title"].set_index(
        "article_id")["text"]
    return pd.DataFrame({"para_id": rows["para_id"], "article_id": rows["article_id"],
                         "outlet": rows.get("outlet", ""), "title": rows["article_id"].map(titles),
                         "text": rows["text"], "labels": "", "coder": "",
                         "text_sha256": rows["text"].map(text_hash)})


class _LabellerWidget:
    """The ipywidgets view of a Labeller: it only calls the labeller's methods and redraws."""

    def __init__(self, labeller: Labeller):
        import ipywidgets as w

        self.labeller = labeller
        names = labeller.codebook.names
        self.header = w.HTML()
        self.context = w.HTML()
        self.toggles = [w.ToggleButton(description=f"{i + 1} {labeller.codebook[n].label}", tooltip=
                                       labeller.codebook[n].definition, layout=w.Layout(width="auto"))
                        for i, n in enumerate(names)]
        self.save = w.Button(description="Save (Enter)", button_style="primary")
        self.skip = w.Button(description="Skip (s)")
        self.undo = w.Button(description="Undo (u)")
        self.keys = w.Text(placeholder="frame numbers, then Enter; s = skip, u = undo", continuous_update=False,
                           layout=w.Layout(width="24em"))
        self.status = w.HTML()
        self.feedback = w.Output()
        self.report_button = w.Button(description="Show F1 and learning curve")
        self.save.on_click(lambda _: self._save())
        self.skip.on_click(lambda _: self._act(labeller.skip))
        self.undo.on_click(lambda _: self._act(labeller.undo))
        self.report_button.on_click(lambda _: self._report())
        self.keys.observe(self._typed, names="value")
        self._typing = False
        labeller._on_change.append(self._draw)  # labels made in code (labeller.label) show here too
        self.box = w.VBox([self.header, self.context, w.HBox(self.toggles, layout=w.Layout(flex_flow="row wrap")),
                           w.HBox([self.save, self.skip, self.undo, self.keys]), self.status,
                           self.report_button, self.feedback])
        self._draw()

    def _typed(self, change) -> None:
        if self._typing:
            return
        text = change["new"].strip().lower()
        self._typing = True
        self.keys.value = ""
        self._typing = False
        if text == "s":
            self._act(self.labeller.skip)
        elif text == "u":
            self._act(self.labeller.undo)
        else:
            numbers = [int(t) for t in text.replace(",", " ").split() if t.isdigit()]
            for toggle in self.toggles:
                toggle.value = False
            for k in numbers:
                if 1 <= k <= len(self.toggles):
                    self.toggles[k - 1].value = True
            self._save()

    def _save(self) -> None:
        chosen = [n for n, t in zip(self.labeller.codebook.names, self.toggles) if t.value]
        self._act(lambda: self.labeller.label(chosen))

    def _act(self, action) -> None:
        try:
            action()  # the labeller redraws this view when the action changes anything
        except FramingError as error:
            self.status.value = f"<span style='color:#b00'>{html.escape(str(error))}</span>"

    def _draw(self) -> None:
        labeller, row = self.labeller, self.labeller.current
        for toggle in self.toggles:
            toggle.value = False
        done = len(labeller.mine())
        self.status.value = (f"{done} labelled by {html.escape(labeller.coder)} · {labeller.remaining} left · saved "
                             f"to {html.escape(str(labeller.path))}")
        if row is None:
            self.header.value, self.context.value = "<b>All paragraphs in the pool are labelled.</b>", ""
            return
        article = labeller.paragraphs[labeller.paragraphs["article_id"] == row["article_id"]]
        title = article[article.get("kind", pd.Series("", index=article.index)) == "title"]["text"]
        meta = " · ".join(str(row[c].date()) if isinstance(row[c], pd.Timestamp) else str(row[c])
                          for c in ("outlet", "outlet_kind", "date") if c in row and pd.notna(row[c]))
        self.header.value = (f"<div style='color:#666'>{html.escape(meta)} · ¶{int(row.get('position', 0))}</div>"
                             f"<b>{html.escape(title.iloc[0] if len(title) else row['article_id'])}</b>")
        position = article.index.get_loc(article.index[article["para_id"] == row["para_id"]][0])
        before = article["text"].iloc[max(0, position - 1):position].tolist()
        after = article["text"].iloc[position + 1:position + 2].tolist()
        grey = "color:#888;font-size:90%"
        self.context.value = ("".join(f"<p style='{grey}'>{html.escape(t)}</p>" for t in before)
                              + f"<p style='border-left:3px solid #1f77b4;padding-left:8px'>{html.escape(row['text'])}"
                              f"</p>" + "".join(f"<p style='{grey}'>{html.escape(t)}</p>" for t in after))

    def _report(self) -> None:
        from IPython.display import display

        self.feedback.clear_output()
        with self.feedback:
            try:
                result = self.labeller.report()
            except FramingError as error:
                print(error)
                return
            display(result["scores"].round(2), result["curve"].round(3))
            for advice in result["needs"]["advice"]:
                print(advice)
