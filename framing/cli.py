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
    emb.set_defaults(run=_embed)

    fig = commands.add_parser("figures", help="regenerate the tables, figures and manifest of the analysis")
    fig.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    fig.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: the project's corpus/)")
    fig.add_argument("--seed", type=int, default=0)
    fig.set_defaults(run=_figures)
    return parser


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
    from .embed import DEFAULT_MODEL, Embedder

    if args.out.suffix != ".npz":
        raise FramingError(f"{args.out}: --out must name a .npz file")
    if not args.out.parent.is_dir():
        raise FramingError(f"{args.out}: folder {args.out.parent} does not exist")
    _, paragraphs = _paragraphs(args.paths)
    embeddings = Embedder(args.model or DEFAULT_MODEL, use_cache=not args.no_cache).embed_paragraphs(paragraphs)
    embeddings.save(args.out)
    stats = embeddings.meta
    print(f"framing: wrote {len(embeddings)} vectors of {embeddings.vectors.shape[1]} dimensions to {args.out} "
          f"({stats['computed']} computed, {stats['cached']} from cache)", file=sys.stderr)
    return 0


def _figures(args: argparse.Namespace) -> int:
    from .figures import build_figures

    manifest = build_figures(out=args.out, corpus=args.corpus, seed=args.seed)
    print(f"framing: wrote {len(manifest['outputs'])} outputs and manifest.json to {args.out}", file=sys.stderr)
    return 0


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"framing: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
