"""The ``framing`` command: thin wrappers that parse arguments and call the library.

Errors the user can fix (bad input, an output that cannot be written, a file the system refuses) are printed as one
line ``framing: error: FILE: problem`` and exit with status 2; warnings as one line each. Outputs are checked before
any computing, and written atomically: a failed run writes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import warnings
from pathlib import Path

from .errors import FramingError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning
        try:
            return args.run(args)
        except BrokenPipeError:  # e.g. `framing segment … | head`
            return 0
        except (FramingError, OSError) as error:
            print(f"framing: error: {_one_line(error)}", file=sys.stderr)
            return 2


def _one_line(error: Exception) -> str:
    if isinstance(error, OSError) and not isinstance(error, FramingError) and error.strerror:
        text = f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    else:
        text = str(error)
    return " ".join(text.split())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framing", description="Media-framing analysis from the command line.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    no_metadata = dict(action="store_true", help="accept articles without metadata (only the text is required), as "
                                                  "load_corpus(require_metadata=False) does")

    seg = commands.add_parser("segment", help="print one JSON object per paragraph")
    seg.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".txt, .md, .csv, .jsonl, .parquet or folder")
    seg.add_argument("--max-words", type=int, default=None, help="cut longer paragraphs at sentence ends")
    seg.add_argument("--show-dropped", action="store_true", help="list dropped boilerplate lines on stderr")
    seg.add_argument("--show-skipped", action="store_true", help="list the documentation and hidden files skipped")
    seg.add_argument("--no-metadata", **no_metadata)
    seg.set_defaults(run=_segment)

    emb = commands.add_parser("embed", help="embed paragraphs and write the vectors with their para_ids")
    emb.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    emb.add_argument("--out", type=Path, required=True, help="output .npz file (para_id, vectors, info)")
    emb.add_argument("--model", default=None, help="model name or local sentence-transformers folder")
    emb.add_argument("--no-cache", action="store_true", help="neither read nor write the embedding cache")
    emb.add_argument("--no-metadata", **no_metadata)
    _backend_option(emb)
    emb.set_defaults(run=_embed)

    frm = commands.add_parser("frames", help="print the frames of every paragraph as JSON lines")
    frm.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    frm.add_argument("--detector", default="default",
                     help="'default' (trained on the corpus gold), 'codebook' (zero-shot) or a detector .npz file "
                          "(from framing train; an article-level one prints one row per article)")
    frm.add_argument("--unit", choices=("article", "paragraph"), default="article",
                     help="'paragraph': each row of a .jsonl/.csv file with a 'text' column is one paragraph; its "
                          "other columns (ids included) are printed with it")
    frm.add_argument("--no-metadata", **no_metadata)
    _backend_option(frm)
    frm.set_defaults(run=_frames)

    trn = commands.add_parser("train", help="train a detector on your codebook and labels (paragraph or article)")
    trn.add_argument("paths", nargs="+", type=Path, metavar="CORPUS")
    trn.add_argument("--codebook", type=Path, required=True, help="your codebook (.yaml, .yml or .toml)")
    trn.add_argument("--labels", type=Path, required=True,
                     help="CSV/JSONL with para_id (or article_id), labels (frame keys joined by ';'), optional coder")
    trn.add_argument("--out", type=Path, required=True, help="detector file to write (.npz)")
    trn.add_argument("--min-labels", type=int, default=5,
                     help="paragraph labels: frames with fewer labelled examples are detected zero-shot (default 5)")
    trn.add_argument("--coders", default="majority",
                     help="several coders: 'majority' (default), 'union', 'intersection' or one coder's name")
    trn.add_argument("--seed", type=int, default=0)
    trn.add_argument("--model", default=None,
                     help="encoder: all-MiniLM-L6-v2 (default, English) or multilingual-e5-small (multilingual, slower)")
    trn.add_argument("--no-metadata", **no_metadata)
    trn.set_defaults(run=_train)

    smp = commands.add_parser("sample", help="write a labelling template: the paragraphs most worth labelling next")
    smp.add_argument("paths", nargs="+", type=Path, metavar="CORPUS")
    smp.add_argument("--codebook", type=Path, required=True)
    smp.add_argument("--n", type=int, default=100, help="paragraphs to sample (default 100)")
    smp.add_argument("--strategy", choices=("uncertainty", "random"), default="uncertainty",
                     help="'uncertainty': closest to a frame's threshold, spread out (default); 'random'")
    smp.add_argument("--labels", type=Path, default=None, help="labels made so far (skipped, and used to train)")
    smp.add_argument("--out", type=Path, required=True, help="template to write (.csv)")
    smp.add_argument("--seed", type=int, default=0)
    smp.add_argument("--no-metadata", **no_metadata)
    smp.set_defaults(run=_sample)

    ev = commands.add_parser("evaluate", help="without CORPUS: the project's own evaluation, real text first "
                                              "(RUWA, BASIL, collected event units), then the corpus gold, GVFC, "
                                              "FNC-1; with CORPUS --codebook --labels: cross-validate on your labels")
    ev.add_argument("paths", nargs="*", type=Path, metavar="CORPUS")
    ev.add_argument("--codebook", type=Path, default=None, help="your codebook (with CORPUS and --labels)")
    ev.add_argument("--labels", type=Path, default=None, help="your labels (with CORPUS and --codebook)")
    ev.add_argument("--groups", default="article_id",
                    help="column whose values stay whole within a fold (default article_id; e.g. event_id)")
    ev.add_argument("--folds", type=int, default=5)
    ev.add_argument("--out", type=Path, default=Path("build/evaluation"))
    ev.add_argument("--datasets", type=Path, default=None, help="folder with gvfc/ and fnc1/ (default: shared)")
    ev.add_argument("--no-fnc1", action="store_true", help="skip FNC-1 (embeds about 18,000 body sentences)")
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--no-metadata", **no_metadata)
    ev.set_defaults(run=_evaluate)

    cmp = commands.add_parser("compare", help="write a study's comparison tables and figures (shares raw and "
                                              "corrected, test, divergences, within-strata differences)")
    cmp.add_argument("framed", type=Path, metavar="FRAMED",
                     help="framed paragraphs: the .jsonl of `framing frames`, or a .csv/.parquet with article_id, "
                          "frames and the grouping column")
    cmp.add_argument("--by", required=True, metavar="COLUMN", help="column whose groups are compared (e.g. outlet)")
    cmp.add_argument("--strata", metavar="COLUMN", default=None,
                     help="compare only within these strata (e.g. event, week): test, differences, divergences")
    cmp.add_argument("--labels", type=Path, metavar="LABELS", default=None,
                     help="gold labels (para_id, labels) for some paragraphs, or (article_id, labels) for some "
                          "articles of an article-level framed table: shares are corrected for the detector's "
                          "errors measured on them")
    cmp.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    cmp.add_argument("--seed", type=int, default=0)
    cmp.set_defaults(run=_compare)

    fig = commands.add_parser("figures", help="regenerate the tables, figures and manifest of the analysis")
    fig.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    fig.add_argument("--corpus", type=Path, nargs="+", default=None,
                     help="your corpus (files or folders); default: the project's event corpus and its case study")
    fig.add_argument("--codebook", type=Path, default=None, help="with --corpus: your codebook")
    fig.add_argument("--detector", default=None,
                     help="with --corpus: a detector .npz (from framing train), 'default' or 'codebook'")
    fig.add_argument("--by", default=None, help="with --corpus: group column (default outlet_kind, else outlet)")
    fig.add_argument("--seed", type=int, default=0)
    _backend_option(fig)
    fig.set_defaults(run=_figures)
    return parser


def _backend_option(parser: argparse.ArgumentParser) -> None:
    from .embed import BACKENDS

    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="encoder backend (default: $FRAMING_BACKEND, else onnx-int8; torch is the reference)")


def _embedder(args: argparse.Namespace, **options):
    """The process-wide default embedder, or one of the backend asked for with --backend."""
    from .embed import Embedder, default_embedder

    backend, model = getattr(args, "backend", None), getattr(args, "model", None)
    if backend is None and not options and not model:
        return default_embedder()
    return Embedder(model or "all-MiniLM-L6-v2", backend=backend, **options)


def _paragraphs(args: argparse.Namespace, max_words: int | None = None):
    """The same loading rules as the library: ``load_corpus`` with metadata required, unless --no-metadata."""
    from .corpus import load_corpus
    from .errors import CorpusError
    from .segment import DEFAULT_MAX_WORDS, segment

    try:
        articles = load_corpus(args.paths, require_metadata=not args.no_metadata)
    except CorpusError as error:
        if args.no_metadata or not re.search(r"no metadata|missing required field|lacks required column", error.problem):
            raise
        raise CorpusError(error.source, f"{error.problem}; or run with --no-metadata to accept articles without "
                                        f"metadata") from None
    return articles, segment(articles, max_words=max_words or DEFAULT_MAX_WORDS)


def _segment(args: argparse.Namespace) -> int:
    articles, paragraphs = _paragraphs(args, args.max_words)
    if args.show_dropped:
        from .segment import dropped_lines

        for row in dropped_lines(articles).itertuples():
            print(f"dropped {row.article_id} line {row.line} ({row.rule}): {row.text}", file=sys.stderr)
    if args.show_skipped:
        for path in articles.attrs.get("skipped", []):
            print(f"skipped {path}", file=sys.stderr)
    out = sys.stdout
    for row in paragraphs[["article_id", "para_id", "position", "text"]].to_dict("records"):
        row["position"] = int(row["position"])
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _embed(args: argparse.Namespace) -> int:
    from .atomic import check_writable_file

    if args.out.suffix != ".npz":
        raise FramingError(f"{args.out}: --out must name a .npz file")
    check_writable_file(args.out)
    _, paragraphs = _paragraphs(args)
    embeddings = _embedder(args, use_cache=not args.no_cache).embed_paragraphs(paragraphs)
    embeddings.save(args.out)
    stats = embeddings.meta
    windowed = f"; {stats['windowed']} long texts embedded in windows" if stats.get("windowed") else ""
    print(f"framing: wrote {len(embeddings)} vectors of {embeddings.vectors.shape[1]} dimensions to {args.out} "
          f"({stats['computed']} computed, {stats['cached']} from cache{windowed})", file=sys.stderr)
    return 0


def _frames(args: argparse.Namespace) -> int:
    from .detector_files import load_detector

    # without --backend the file's own model decides (a detector trained on e5 vectors gets an e5 embedder)
    detector = load_detector(args.detector, embedder=_embedder(args) if args.backend else None)
    if args.unit == "paragraph":
        paragraphs, columns = _paragraph_rows(args.paths)
    else:
        _, paragraphs = _paragraphs(args)
        columns = ["article_id", "para_id", "text"]
    if getattr(detector, "level", "paragraph") == "article":
        return _print_articles(detector.frame_table(paragraphs), detector.frames_)
    framed = detector.frame_table(paragraphs)  # features computed once, for scores and frames alike
    score_columns = [f"score_{name}" for name in detector.frames_]
    if args.unit == "article":
        # metadata a comparison groups by (`framing compare --by outlet --strata event`) travels with the frames
        passed = [c for c in ("outlet", "outlet_kind", "date", "event", "kind", "position", "provenance")
                  if c in framed.columns]
        framed = framed.assign(**{c: framed[c].astype(str) for c in passed if c == "date"})
        columns = ["article_id", "para_id", *passed, "text"]
    lines = []
    for row in framed[[*columns, "frames", *score_columns]].to_dict("records"):
        scores = {name: round(float(row.pop(f"score_{name}")), 4) for name in detector.frames_}
        row["frames"], row["scores"] = list(row["frames"]), scores
        lines.append(_json_line(row))
    sys.stdout.write("".join(line + "\n" for line in lines))  # all or nothing: no half output on an error
    sys.stdout.flush()
    return 0


def _json_line(row: dict) -> str:
    try:
        return json.dumps(row, ensure_ascii=False, allow_nan=False, default=str)
    except ValueError:
        raise FramingError(f"{row.get('para_id') or row.get('article_id')!r}: a score or value is not a finite "
                           f"number, which JSON cannot hold") from None


def _print_articles(framed, frames: list[str]) -> int:
    """One JSON object per article: id, metadata for grouping, frames and scores."""
    keep = [c for c in ("article_id", "outlet", "outlet_kind", "date", "title") if c in framed.columns]
    lines = []
    for row in framed.to_dict("records"):
        out = {c: (None if _missing(row[c]) else str(row[c].date()) if c == "date" else row[c]) for c in keep}
        out["frames"] = list(row["frames"])
        out["scores"] = {name: round(float(row[f"score_{name}"]), 4) for name in frames}
        lines.append(_json_line(out))
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    return 0


def _missing(value) -> bool:
    import pandas as pd

    return value is None or value is pd.NaT or (not isinstance(value, (list, tuple)) and pd.isna(value))


def _study_inputs(args: argparse.Namespace):
    """Corpus, paragraphs, codebook and labels (checked against the codebook) of the train/evaluate commands."""
    from .codebook import load_codebook
    from .labels import load_labels

    articles, paragraphs = _paragraphs(args)
    codebook = load_codebook(args.codebook)
    labels = load_labels(args.labels, codebook)
    return articles, paragraphs, codebook, labels


def _train(args: argparse.Namespace) -> int:
    from .detector_files import save_detector
    from .training import train_detector

    from .atomic import check_writable_file

    if args.out.suffix != ".npz":
        raise FramingError(f"{args.out}: --out must name a .npz file")
    check_writable_file(args.out)
    _, paragraphs, codebook, labels = _study_inputs(args)
    params = {"min_labels": args.min_labels} if labels.attrs["level"] == "paragraph" else {}
    embedder = _embedder(args) if args.model else None
    detector = train_detector(paragraphs, labels, codebook, embedder=embedder, rule=args.coders,
                              random_state=args.seed, **params)
    save_detector(detector, args.out)
    units = "articles" if labels.attrs["level"] == "article" else "paragraphs"
    zero_shot = getattr(detector, "zero_shot_frames_", [])
    print(f"framing: trained a {labels.attrs['level']}-level detector for codebook {codebook.name!r} on "
          f"{labels.iloc[:, 0].nunique()} labelled {units}"
          + (f" (zero-shot: {', '.join(zero_shot)})" if zero_shot else "") + f"; wrote {args.out}", file=sys.stderr)
    return 0


def _sample(args: argparse.Namespace) -> int:
    from .codebook import load_codebook
    from .labeller import labelling_template

    from .atomic import check_writable_file

    if args.out.suffix != ".csv":
        raise FramingError(f"{args.out}: --out must name a .csv file")
    check_writable_file(args.out)
    _, paragraphs = _paragraphs(args)
    codebook = load_codebook(args.codebook)
    template = labelling_template(paragraphs, codebook, n=args.n, strategy=args.strategy, labels=args.labels,
                                  random_state=args.seed)
    _write_atomically(template, args.out)
    print(f"framing: wrote {len(template)} paragraphs to label to {args.out} (fill 'labels' with frame keys joined "
          f"by ';': {', '.join(codebook.names)}; leave it empty for none; then framing train ... --labels "
          f"{args.out})", file=sys.stderr)
    return 0


def _write_atomically(table, path: Path) -> None:
    from .atomic import atomic_path, check_writable_file

    check_writable_file(path)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")


def _paragraph_rows(paths: list[Path]):
    """--unit paragraph: every row of a table is one paragraph, unsegmented. The table's own columns (its ids, whatever
    their names) are kept; ``para_id`` is the file's own column when it has one, else ``FILE:ROW``."""
    import pandas as pd

    from .errors import CorpusError
    from .schemas import is_blank
    from .table_files import read_table

    tables, seen = [], {}
    for path in paths:
        if path.suffix.lower() not in (".jsonl", ".csv"):
            raise CorpusError(path, "--unit paragraph reads .jsonl or .csv files with a 'text' column")
        if not path.is_file():
            raise CorpusError(path, "no such file")
        table = read_table(path)
        if "text" not in table.columns:
            raise CorpusError(path, f"table has no 'text' column (columns: {', '.join(map(str, table.columns))})")
        if table.empty:
            raise CorpusError(path, "table has no rows")
        for number, text in enumerate(table["text"], start=1):
            if not isinstance(text, str) or is_blank(text):
                raise CorpusError(path, f"row {number}: empty or non-text 'text' ({text!r})")
        table = table.copy()
        for column in ("article_id", "para_id"):
            if column in table.columns:
                for number, value in enumerate(table[column], start=1):
                    if not isinstance(value, (str, int)) or isinstance(value, bool) or is_blank(str(value)):
                        raise CorpusError(path, f"row {number}: empty or non-text {column!r} ({value!r})")
                table[column] = table[column].map(str)
        if "para_id" not in table.columns:
            table["para_id"] = [f"{path.stem}:{i}" for i in range(1, len(table) + 1)]
        for number, para_id in enumerate(table["para_id"], start=1):
            where = f"{path} row {number}"
            if para_id in seen:
                raise CorpusError(where, f"duplicate para_id {para_id!r} (also in {seen[para_id]})")
            seen[para_id] = where
        tables.append(table)
    rows = pd.concat(tables, ignore_index=True)
    columns = list(dict.fromkeys(c for table in tables for c in table.columns))
    return rows, columns


def _evaluate(args: argparse.Namespace) -> int:
    from .atomic import check_writable_folder
    from .study.evaluation import run_evaluation

    check_writable_folder(args.out)
    if args.paths or args.codebook or args.labels:
        return _evaluate_labels(args)
    print(run_evaluation(args.out, datasets=args.datasets, random_state=args.seed, fnc1=not args.no_fnc1))
    print(f"framing: tables written to {args.out}", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    import hashlib

    from .report import read_framed, read_labels, write_comparison

    if args.out.exists() and not args.out.is_dir():
        raise FramingError(f"{args.out}: --out must be a folder, and this is a file")
    framed = read_framed(args.framed)
    labels = read_labels(args.labels) if args.labels else None
    inputs = {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in (args.framed, args.labels) if path}
    manifest = write_comparison(framed, args.by, args.out, strata=args.strata, labels=labels, seed=args.seed,
                                inputs=inputs)
    note = f", corrected with {manifest['labelled_units']} labelled paragraphs" if labels is not None else ""
    print(f"framing: wrote {len(manifest['outputs'])} outputs and manifest.json to {args.out}{note}",
          file=sys.stderr)
    return 0


def _evaluate_labels(args: argparse.Namespace) -> int:
    from .evaluate import markdown_table
    from .training import cross_validate

    if not (args.paths and args.codebook and args.labels):
        raise FramingError("evaluating your own labels needs CORPUS, --codebook and --labels "
                           "(without any of them, framing evaluate runs the project's own evaluation)")
    _, paragraphs, codebook, labels = _study_inputs(args)
    table = cross_validate(paragraphs, labels, codebook, groups=args.groups, folds=args.folds,
                           random_state=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    _write_atomically(table.round(4), args.out / "cross_validation.csv")
    print(markdown_table(table))
    print(f"framing: {args.folds}-fold cross-validation grouped by {args.groups}; table written to "
          f"{args.out / 'cross_validation.csv'}", file=sys.stderr)
    return 0


def _figures(args: argparse.Namespace) -> int:
    import matplotlib

    from .atomic import check_writable_folder

    if args.corpus is None and (args.codebook or args.detector or args.by):
        raise FramingError("--codebook, --detector and --by go with --corpus (your corpus)")
    check_writable_folder(args.out)
    matplotlib.use("Agg")  # this process only writes files; the library itself never picks a backend
    if args.corpus is not None:
        from .figures import build_study_figures

        manifest = build_study_figures(args.corpus, out=args.out, codebook=args.codebook, detector=args.detector,
                                       by=args.by, seed=args.seed, embedder=_embedder(args))
    else:
        from .study.figures import build_figures

        manifest = build_figures(out=args.out, seed=args.seed, embedder=_embedder(args))
    print(f"framing: wrote {len(manifest['outputs'])} outputs and manifest.json to {args.out}", file=sys.stderr)
    return 0


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"framing: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
