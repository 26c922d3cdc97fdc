"""Read a corpus of articles (files, tables, saved web pages or a DataFrame) into one validated DataFrame.

Articles table (``framing.schemas.ARTICLES``): one row per article, columns ``ARTICLE_COLUMNS`` (+ any extra
metadata fields), where ``text`` is the body (for ``.txt`` files: everything after the title line) with ``\\n`` line
endings, and ``source`` names the file (and row, for tables) it came from. The format is documented in
``corpus/README.md``. Files a folder holds that are documentation or hidden are skipped and listed in
``articles.attrs["skipped"]``; any other file is read, or refused with an error naming it.

Only ``article_id``, ``outlet`` and ``text`` are required (``framing.schemas.REQUIRED_FIELDS``). Every other field is
optional and, when absent, left missing (an absent date is NaT, not a made-up one; a missing language is detected):
``articles.attrs["defaults"]`` records, per field, how many articles lack it and what stands in. ``outlet_kind`` is
free-form.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import yaml

from .errors import CorpusError, FramingWarning
from .schemas import ARTICLE_ID_PATTERN, ARTICLES, LANGUAGE_PATTERN, REQUIRED_FIELDS, is_blank, validate
from .table_files import TABLE_SUFFIXES, read_table, read_utf8
from .yaml_files import load_yaml

OPTIONAL_FIELDS = ("outlet_kind", "date", "title", "url", "language", "licence", "provenance")
# What stands in for an absent optional field; recorded in articles.attrs["defaults"].
ABSENT = {"outlet_kind": "missing (group by outlet instead)", "date": "missing (NaT)", "title": "none",
          "url": "missing", "language": "detected from the text (language_source = 'detected')",
          "licence": "missing (unknown: check before sharing text)", "provenance": "missing"}
METADATA_FIELDS = (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)
COMPOSED_FIELDS = ("modelled_on", "rests_on")
ARTICLE_COLUMNS = (*METADATA_FIELDS, *COMPOSED_FIELDS, "language_source", "text", "source")
OUTLET_KINDS = (
    "russian-state", "dprk-state", "us-government", "western-wire", "western-press",
    "ukrainian", "south-korean", "japanese", "chinese-state", "other",
)
PROVENANCES = ("collected", "composed")
ARTICLE_SUFFIXES = (".md", ".txt", ".html", ".htm")
SIDECAR_SUFFIX = ".meta.yaml"
# Files in a corpus folder that document it rather than hold articles: these names exactly, with at most an extension
# (README.md, LICENSE, DATACARD.txt). Anything else is read (`readme_first.txt` is an article, as is
# `License-plate-fraud-2023.txt`), and so are names starting with '_'. Hidden names (starting with '.') are skipped.
DOC_FILE = re.compile(r"(README|DATACARD|LICEN[CS]E|COPYING|CHANGELOG|ANNOTATION_GUIDE)(\.[A-Za-z]{1,8})?", re.IGNORECASE)
ARTICLE_ID = re.compile(ARTICLE_ID_PATTERN)
LANGUAGE_CODE = re.compile(LANGUAGE_PATTERN)


def load_corpus(path: str | Path | Iterable[str | Path] | pd.DataFrame, *,
                require_metadata: bool = True) -> pd.DataFrame:
    """Load articles from a DataFrame, a file, a folder, or several files and folders, and validate them.

    Files: ``.md`` (YAML header), ``.txt`` (+ ``.meta.yaml`` sidecar), ``.csv``/``.jsonl``/``.parquet`` tables (one
    article per row), saved web pages ``.html``/``.htm`` (main text, title, date and site read by trafilatura).
    Required: ``article_id``, ``outlet`` and ``text``; other fields are optional (see the module docstring).
    With ``require_metadata=False`` even ``outlet`` may be absent and a ``.txt``/``.md`` file needs no metadata.

    >>> articles = load_corpus("corpus")                     # doctest: +SKIP
    >>> articles = load_corpus(pd.DataFrame({"article_id": ["a1"], "outlet": ["X"], "text": ["..."]}))  # doctest: +SKIP
    """
    if isinstance(path, pd.DataFrame):
        return _validate(_read_frame(path, "DataFrame", require_metadata), require_metadata)
    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
    if not paths:
        raise CorpusError("load_corpus", "no path given")
    records: list[dict] = []
    skipped: list[str] = []
    for p in paths:
        files, passed_over = _article_files(p)
        skipped.extend(map(str, passed_over))
        for file in files:
            records.extend(_read_file(file, require_metadata))
    articles = _validate(records, require_metadata)
    if skipped:
        shown = ", ".join(Path(s).name for s in skipped[:5]) + (", …" if len(skipped) > 5 else "")
        warnings.warn(f"skipped {len(skipped)} documentation or hidden file(s) in the corpus folder: {shown} "
                      f"(all of them: articles.attrs['skipped'])", FramingWarning, stacklevel=2)
    articles.attrs["skipped"] = skipped
    return articles


def _article_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The article files under ``path`` (a file or a folder, read recursively) and the paths passed over."""
    if not path.exists():
        problem = "a broken or looping symbolic link" if os.path.lexists(path) else "no such file or folder"
        raise CorpusError(path, problem)
    if path.is_file():
        return [path], []
    if not path.is_dir():
        raise CorpusError(path, "is neither a file nor a folder")
    root = path / "articles" if (path / "articles").is_dir() else path
    files: list[Path] = []
    skipped: list[Path] = []
    _walk(root, files, skipped, visited=set())
    texts = {file for file in files if not file.name.endswith(SIDECAR_SUFFIX)}
    for file in files:
        if file.name.endswith(SIDECAR_SUFFIX):
            partner = file.with_name(file.name[: -len(SIDECAR_SUFFIX)] + ".txt")
            if partner not in texts:
                raise CorpusError(file, f"metadata sidecar without its text file {partner.name}: rename or remove it")
    files = sorted(texts)
    if not files:
        raise CorpusError(root, "folder holds no article files")
    return files, skipped


def _walk(folder: Path, files: list[Path], skipped: list[Path], visited: set) -> None:
    """Every file under ``folder``, following symbolic links; an unreadable folder or a link loop is an error."""
    try:
        identity = (folder.stat().st_dev, folder.stat().st_ino)
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        raise CorpusError(folder, f"cannot read this folder ({error.strerror or error})") from None
    if identity in visited:
        raise CorpusError(folder, "symbolic link loop: this folder is already read through another path")
    visited.add(identity)
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            skipped.append(path)  # hidden files and folders (.git, .DS_Store, .ipynb_checkpoints)
            continue
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError as error:
            raise CorpusError(path, f"cannot be read ({error.strerror or error})") from None
        if is_dir:
            _walk(path, files, skipped, visited)
        elif not is_file:
            raise CorpusError(path, "is neither a file nor a folder (a broken or looping symbolic link?)")
        elif DOC_FILE.fullmatch(entry.name):
            skipped.append(path)
        else:
            files.append(path)
    visited.discard(identity)


def _read_file(path: Path, require_metadata: bool) -> list[dict]:
    suffix = path.suffix.lower()
    if path.name.endswith(SIDECAR_SUFFIX):
        raise CorpusError(path, "is a metadata sidecar; give the .txt file it describes")
    if suffix == ".md":
        return [_read_markdown(path, require_metadata)]
    if suffix == ".txt":
        return [_read_text(path, require_metadata)]
    if suffix in (".html", ".htm"):
        return [read_html(path)]
    if suffix in TABLE_SUFFIXES:
        return _read_table(path, require_metadata)
    expected = ", ".join(ARTICLE_SUFFIXES + TABLE_SUFFIXES)
    raise CorpusError(path, f"unknown file type '{suffix or path.name}' (expected one of {expected})")


def _parse_yaml(source: Path, text: str, what: str, first_line: int = 1) -> dict:
    try:
        meta = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        raise CorpusError(source, f"{what} is not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise CorpusError(source, f"{what} must be a mapping of field: value, not {type(meta).__name__}")
    return meta


def _read_markdown(path: Path, require_metadata: bool) -> dict:
    text = read_utf8(path)
    meta: dict = {}
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            raise CorpusError(path, "metadata header opened with '---' is never closed")
        meta = _parse_yaml(path, "\n".join(lines[1:end]), "metadata header", first_line=2)
        lines = lines[end + 1:]
    elif require_metadata:
        raise CorpusError(path, "no metadata header (a YAML block between '---' lines at the top)")
    body = "\n".join(lines).strip("\n")
    if not meta.get("title"):
        first = body.lstrip("\n").split("\n", 1)
        if first[0].startswith("# "):
            meta["title"] = first[0][2:].strip()
            body = first[1] if len(first) > 1 else ""
    if _is_missing(meta.get("article_id")):
        meta["article_id"] = path.stem
    return {**meta, "text": body, "source": str(path)}


def _read_text(path: Path, require_metadata: bool) -> dict:
    lines = read_utf8(path).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CorpusError(path, "empty file")
    title = lines[first].strip()
    sidecar = path.with_name(path.name[: -len(path.suffix)] + SIDECAR_SUFFIX)
    meta: dict = {}
    if sidecar.exists():
        meta = _parse_yaml(sidecar, read_utf8(sidecar), "metadata sidecar")
        if meta.get("title") not in (None, "") and str(meta["title"]).strip() != title:
            raise CorpusError(sidecar, f"field 'title' differs from the first line of {path.name}: {title!r}")
    elif require_metadata:
        raise CorpusError(path, f"no metadata: expected a sidecar file {sidecar.name} next to it")
    if _is_missing(meta.get("article_id")):
        meta["article_id"] = path.stem
    meta["title"] = title
    return {**meta, "text": "\n".join(lines[first + 1:]).strip("\n"), "source": str(path)}


def _read_table(path: Path, require_metadata: bool) -> list[dict]:
    return _read_frame(read_table(path), path, require_metadata, default_id=path.stem)


def _read_frame(table: pd.DataFrame, where, require_metadata: bool, default_id: str | None = None) -> list[dict]:
    """Rows of a table (from a file, or a DataFrame given directly) as article records."""
    if "text" not in table.columns:
        raise CorpusError(where, f"table has no 'text' column (columns: {', '.join(map(str, table.columns))})")
    required = [f for f in REQUIRED_FIELDS if default_id is None or f != "article_id"]  # files name their rows
    missing = [field for field in required if field not in table.columns] if require_metadata else []
    if missing:
        raise CorpusError(where, f"table lacks required column(s): {', '.join(missing)} (required: article_id, "
                                 f"outlet, text; every other column is optional)")
    if not require_metadata and "article_id" not in table.columns and default_id is None:
        default_id = "article"
    records = []
    for number, row in enumerate(table.to_dict("records"), start=1):
        row = {str(key): value for key, value in row.items() if not _is_missing(value)}
        if default_id is not None:
            row.setdefault("article_id", f"{default_id}-{number}")
        if isinstance(row.get("text"), str):
            row["text"] = row["text"].replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        records.append({**row, "source": f"{where} row {number}"})
    if not records:
        raise CorpusError(where, "table has no rows")
    return records


def read_html(path: str | Path) -> dict:
    """A saved web page -> one article record: main text, title, date, site name and address, by trafilatura.

    ``outlet`` is the site name the page declares, else its host name; ``article_id`` is the file name's stem.
    Boilerplate that trafilatura keeps is still dropped later by ``segment``'s rules.
    """
    import trafilatura

    path = Path(path)
    page = read_utf8(path)
    extracted = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False, include_tables=False,
                                            favor_precision=True) if page.strip() else None
    found = (extracted if isinstance(extracted, dict) else extracted.as_dict()) if extracted is not None else {}
    text = (found.get("text") or "").strip()
    if not text:
        raise CorpusError(path, "no article text found in this web page")
    url = found.get("url")
    host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://", "", url).split("/")[0]) if url else None
    record = {"article_id": _safe_id(path.stem), "text": text.replace("\r\n", "\n"), "source": str(path)}
    for field, value in (("title", found.get("title")), ("date", found.get("date")), ("url", url),
                         ("outlet", found.get("sitename") or host), ("language", found.get("language"))):
        if value:
            record[field] = value
    return record


def _safe_id(stem: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    return cleaned or "page"


def _is_missing(value: object) -> bool:
    if isinstance(value, (list, tuple)) or hasattr(value, "__array__") and not isinstance(value, str):
        return len(value) == 0
    return (value is None or value is pd.NA or value is pd.NaT or (isinstance(value, str) and not value.strip())
            or (isinstance(value, float) and value != value))


def _validate(records: list[dict], require_metadata: bool) -> pd.DataFrame:
    seen: dict[str, str] = {}
    rows = []
    for record in records:
        source = record["source"]
        row = {_field_name(key, source): _valid_unicode(record[key], key, source) for key in record
               if not _is_missing(record[key])}
        for field in ("text", "article_id", *(REQUIRED_FIELDS if require_metadata else ())):
            if field not in row:
                raise CorpusError(source, "empty body" if field == "text" else f"missing required field '{field}'")
        if not isinstance(row["text"], str):
            raise CorpusError(source, f"field 'text' must be text, not {type(row['text']).__name__}")
        if is_blank(row["text"]):
            raise CorpusError(source, "empty body" + ("" if not row["text"].strip() else
                                                      " (only invisible characters such as zero-width spaces)"))
        for field, value in list(row.items()):
            if field not in ("text", "modelled_on", "date") and not isinstance(value, str):
                row[field] = str(value)
        article_id = row["article_id"]
        if not ARTICLE_ID.fullmatch(article_id):
            raise CorpusError(source, f"field 'article_id': {article_id!r} may hold only letters, digits, '.', '_', '-' "
                                      f"and must start with a letter or digit")
        if article_id in seen:
            raise CorpusError(source, f"duplicate article_id {article_id!r} (also in {seen[article_id]})")
        seen[article_id] = source
        _check_fields(row, source)
        rows.append(row)
    articles = pd.DataFrame(rows)
    for column in ARTICLE_COLUMNS:
        if column not in articles.columns:
            articles[column] = pd.NA
    defaults = {field: {"articles": int(articles[field].isna().sum()), "stands_in": ABSENT[field]}
                for field in OPTIONAL_FIELDS if articles[field].isna().any()}
    _fill_language(articles)
    extra = [column for column in articles.columns if column not in ARTICLE_COLUMNS]
    articles = articles[[*ARTICLE_COLUMNS, *extra]]
    articles["date"] = pd.to_datetime(articles["date"])
    articles = validate(ARTICLES, articles.reset_index(drop=True), "articles")
    articles.attrs["defaults"] = defaults
    return articles


def _field_name(key: object, source: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise CorpusError(source, f"field name {key!r} is not a name: field names must be text")
    return _valid_unicode(key, "field name", source)


def _valid_unicode(value, field: object, source: str):
    """Text that UTF-8 can hold: an escaped surrogate pair (as JSON and YAML write '\\ud83d\\ude42') is joined into
    its character; a lone surrogate is an error."""
    if isinstance(value, (list, tuple)):
        return type(value)(_valid_unicode(item, field, source) for item in value)
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise CorpusError(source, f"field {field!r} holds a lone surrogate (an escape such as \\ud83d without "
                                      f"its pair): write the character itself") from None


def _check_fields(row: dict, source: str) -> None:
    if "date" in row:
        row["date"] = _parse_date(row["date"], source)
    if "provenance" in row and row["provenance"] not in PROVENANCES:
        raise CorpusError(source, f"field 'provenance': {row['provenance']!r} is not one of {', '.join(PROVENANCES)}")
    if row.get("provenance") == "composed":
        for field in COMPOSED_FIELDS:
            if field not in row:
                raise CorpusError(source, f"missing field '{field}', required for composed text")
    if "modelled_on" in row:
        value = row["modelled_on"]
        if isinstance(value, str):
            row["modelled_on"] = tuple(value.split())
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            row["modelled_on"] = tuple(value)
        else:
            raise CorpusError(source, f"field 'modelled_on' must be addresses (a list of them, or one string), not "
                                      f"{value!r}")
    if "language" in row:
        if not LANGUAGE_CODE.fullmatch(row["language"]):
            raise CorpusError(source, f"field 'language': {row['language']!r} is not a language code such as 'en'")
        row["language_source"] = "metadata"


def _parse_date(value: object, source: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value if not isinstance(value, str) else value.strip())
    except (ValueError, TypeError):
        stamp = pd.NaT
    if pd.isna(stamp) or not re.match(r"^\d{4}-\d{2}-\d{2}", str(value).strip()) and isinstance(value, str):
        raise CorpusError(source, f"field 'date': {value!r} is not an ISO date (YYYY-MM-DD)")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


def _fill_language(articles: pd.DataFrame) -> None:
    """Detect the language of articles that do not declare one (only possible with require_metadata=False)."""
    missing = articles["language"].isna()
    if missing.any():
        from py3langid import classify  # loaded only when needed: it takes about 0.5 s

        articles.loc[missing, "language"] = [classify(text)[0] for text in articles.loc[missing, "text"]]
        articles.loc[missing, "language_source"] = "detected"
