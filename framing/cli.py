"""The ``framing`` command: thin wrappers that parse arguments and call the library.

Errors are printed as one line ``framing: error: FILE: problem`` and exit with status 2; warnings as one line each.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from .errors import FramingError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    warnings.showwarning = _one_line_warning
    try:
        return args.run(args)
    except (FramingError, FileNotFoundError) as error:
        print(f"framing: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `framing segment … | head`
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="framing", description="Media-framing analysis from the command line.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    seg = commands.add_parser("segment", help="print one JSON object per paragraph")
    seg.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".txt, .md, .csv, .jsonl, .parquet or folder")
    seg.add_argument("--max-words", type=int, default=None, help="cut longer paragraphs at sentence ends")
    seg.add_argument("--show-dropped", action="store_true", help="list dropped boilerplate lines on stderr")
    seg.set_defaults(run=_segment)

    emb = commands.add_parser("embed", help="embed paragraphs and write the vectors with their para_ids")
    emb.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    emb.add_argument("--out", type=Path, required=True, help="output .npz file (para_id, vectors, info)")
    emb.add_argument("--model", default=None, help="model name or local sentence-transformers folder")
    emb.add_argument("--no-cache", action="store_true", help="neither read nor write the embedding cache")
    _backend_option(emb)
    emb.set_defaults(run=_embed)

    frm = commands.add_parser("frames", help="print the frames of every paragraph as JSON lines")
    frm.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    frm.add_argument("--detector", default="default",
                     help="'default' (trained on the corpus gold), 'codebook' (zero-shot) or a detector .npz file")
    frm.add_argument("--unit", choices=("article", "paragraph"), default="article",
                     help="'paragraph': each row of a .jsonl/.csv file with a 'text' column is one paragraph")
    _backend_option(frm)
    frm.set_defaults(run=_frames)

    ev = commands.add_parser("evaluate", help="measure the detectors: real text first (RUWA, BASIL, collected event units), then the corpus gold, GVFC, FNC-1")
    ev.add_argument("--out", type=Path, default=Path("build/evaluation"))
    ev.add_argument("--datasets", type=Path, default=None, help="folder with gvfc/ and fnc1/ (default: shared)")
    ev.add_argument("--no-fnc1", action="store_true", help="skip FNC-1 (embeds about 18,000 body sentences)")
    ev.add_argument("--seed", type=int, default=0)
    ev.set_defaults(run=_evaluate)

    fig = commands.add_parser("figures", help="regenerate the tables, figures and manifest of the analysis")
    fig.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    fig.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: the project's corpus/)")
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

    if args.backend is None and not options:
        return default_embedder()
    return Embedder(getattr(args, "model", None) or "all-MiniLM-L6-v2", backend=args.backend, **options)


def _paragraphs(paths: list[Path], max_words: int | None = None):
    from .corpus import load_corpus
    from .segment import DEFAULT_MAX_WORDS, segment

    articles = load_corpus(paths, require_metadata=False)
    return articles, segment(articles, max_words=max_words or DEFAULT_MAX_WORDS)


def _segment(args: argparse.Namespace) -> int:
    articles, paragraphs = _paragraphs(args.paths, args.max_words)
    if args.show_dropped:
        from .segment import dropped_lines

        for row in dropped_lines(articles).itertuples():
            print(f"dropped {row.article_id} line {row.line} ({row.rule}): {row.text}", file=sys.stderr)
    out = sys.stdout
    for row in paragraphs[["article_id", "para_id", "position", "text"]].to_dict("records"):
        row["position"] = int(row["position"])
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _embed(args: argparse.Namespace) -> int:
    if args.out.suffix != ".npz":
        raise FramingError(f"{args.out}: --out must name a .npz file")
    if not args.out.parent.is_dir():
        raise FramingError(f"{args.out}: folder {args.out.parent} does not exist")
    _, paragraphs = _paragraphs(args.paths)
    embeddings = _embedder(args, use_cache=not args.no_cache).embed_paragraphs(paragraphs)
    embeddings.save(args.out)
    stats = embeddings.meta
    windowed = f"; {stats['windowed']} long texts embedded in windows" if stats.get("windowed") else ""
    print(f"framing: wrote {len(embeddings)} vectors of {embeddings.vectors.shape[1]} dimensions to {args.out} "
          f"({stats['computed']} computed, {stats['cached']} from cache{windowed})", file=sys.stderr)
    return 0


def _frames(args: argparse.Namespace) -> int:
    from .detector_files import load_detector

    detector = load_detector(args.detector, embedder=_embedder(args))
    if args.unit == "paragraph":
        paragraphs = _paragraph_rows(args.paths)
    else:
        _, paragraphs = _paragraphs(args.paths)
    framed = detector.frame_table(paragraphs)  # features computed once, for scores and frames alike
    score_columns = [f"score_{name}" for name in detector.frames_]
    for row in framed[["article_id", "para_id", "text", "frames", *score_columns]].to_dict("records"):
        scores = {name: round(float(row.pop(f"score_{name}")), 4) for name in detector.frames_}
        row["frames"], row["scores"] = list(row["frames"]), scores
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


def _paragraph_rows(paths: list[Path]):
    """--unit paragraph: every row of a table is one paragraph, unsegmented."""
    import pandas as pd

    from .errors import CorpusError

    tables = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in (".jsonl", ".csv"):
            raise CorpusError(path, "--unit paragraph reads .jsonl or .csv files with a 'text' column")
        if not path.is_file():
            raise CorpusError(path, "no such file")
        try:
            table = (pd.read_json(path, lines=True, dtype=False) if suffix == ".jsonl"
                     else pd.read_csv(path, dtype=str, keep_default_na=False))
        except ValueError as error:
            raise CorpusError(path, f"cannot be read: {str(error).splitlines()[0]}") from None
        if "text" not in table.columns:
            raise CorpusError(path, f"table has no 'text' column (columns: {', '.join(map(str, table.columns))})")
        for number, text in enumerate(table["text"], start=1):
            if not isinstance(text, str) or not text.strip():
                raise CorpusError(path, f"row {number}: empty or non-text 'text' ({text!r})")
        table = table.copy()
        if "article_id" not in table.columns:
            table["article_id"] = [f"{path.stem}-{i}" for i in range(1, len(table) + 1)]
        table["para_id"] = table["para_id"] if "para_id" in table.columns else [
            f"{path.stem}:{i}" for i in range(1, len(table) + 1)]
        tables.append(table[["article_id", "para_id", "text"]].astype(str))
    return pd.concat(tables, ignore_index=True)


def _evaluate(args: argparse.Namespace) -> int:
    from .study.evaluation import run_evaluation

    print(run_evaluation(args.out, datasets=args.datasets, random_state=args.seed, fnc1=not args.no_fnc1))
    print(f"framing: tables written to {args.out}", file=sys.stderr)
    return 0


def _figures(args: argparse.Namespace) -> int:
    from .study.figures import build_figures

    manifest = build_figures(out=args.out, corpus=args.corpus, seed=args.seed, embedder=_embedder(args))
    print(f"framing: wrote {len(manifest['outputs'])} outputs and manifest.json to {args.out}", file=sys.stderr)
    return 0


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"framing: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
