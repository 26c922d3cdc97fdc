"""Cut articles into clean paragraphs, dropping web boilerplate by general, configurable rules.

Articles table (``framing.schemas.ARTICLES``, from ``framing.corpus``) -> Paragraphs table
(``framing.schemas.PARAGRAPHS``): one row per paragraph, columns ``PARAGRAPH_COLUMNS`` followed by the article's
metadata. Row 0 of each article (``kind == "title"``) is its title; body rows follow in order. Lines that show nothing
(only spaces, zero-width or bidirectional marks) are blank. Dropped lines are never lost: ``dropped_lines(articles)``
lists each with the rule that dropped it, including a first body line that repeats the title (``repeated_title``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from .errors import FramingError, FramingWarning
from .schemas import ARTICLES, PARAGRAPHS, is_blank, validate

PARAGRAPH_COLUMNS = ("article_id", "para_id", "position", "kind", "text", "n_words", "piece", "pieces", "language")
DROPPED_COLUMNS = ("article_id", "line", "rule", "text")
DEFAULT_MAX_WORDS = 180  # all-MiniLM-L6-v2 reads 256 word pieces; about 180 English words fit
REPEATED_TITLE = "repeated_title"  # the rule name under which a first body line equal to the title is dropped


@dataclass(frozen=True)
class BoilerplateRule:
    """A named test for one line of web furniture. ``test`` gets the line, stripped, and says whether to drop it."""

    name: str
    test: Callable[[str], bool]
    description: str

    def __call__(self, line: str) -> bool:
        return self.test(line)


def _regex(*patterns: str, flags: int = re.IGNORECASE) -> Callable[[str], bool]:
    compiled = [re.compile(p, flags) for p in patterns]
    return lambda line: any(p.search(line) for p in compiled)


_MINOR_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "on", "or", "over",
                "the", "to", "vs", "with", "is", "are", "was", "its", "his", "her", "their"}
_SENTENCE_END = ('.', '"', '”', '’', "'", ':', ';', ',', ')')


def _is_section_label(line: str) -> bool:
    words = line.split()
    return (0 < len(words) <= 3 and line[0].isupper() and not re.search(r"[.!?:;,\"“”()]", line)
            and all(w[0].isupper() or w.lower() in _MINOR_WORDS or not w[0].isalpha() for w in words))


_DATE_TIME_WORDS = re.compile(
    r"\b(updated|published|posted|last|on|at|a\.?m\.?|p\.?m\.?|gmt|utc|et|edt|est|pdt|pst|kst|msk|bst|cet|cest|jst|ist|aest|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|oct(ober)?|nov(ember)?|"
    r"dec(ember)?|mon(day)?|tue(sday)?|wed(nesday)?|thu(rsday)?|fri(day)?|sat(urday)?|sun(day)?|"
    r"\d{1,4}(st|nd|rd|th)?)\b\.?", re.IGNORECASE)


def _is_timestamp(line: str) -> bool:
    """A line made only of dates, times and words like 'Updated': '11:20 a.m. ET, September 14, 2023'."""
    return (len(line.split()) <= 10 and bool(re.search(r"\d", line))
            and not re.sub(r"[\W_]+", "", _DATE_TIME_WORDS.sub("", line)))


def _is_teaser_headline(line: str) -> bool:
    """A headline set in Title Case with no closing full stop: a link to another article."""
    words = re.findall(r"[A-Za-z][\w'’-]*", line)
    if not 4 <= len(words) <= 25 or line.rstrip().endswith(_SENTENCE_END):
        return False
    content = [w for w in words if w.lower() not in _MINOR_WORDS]
    return bool(content) and sum(w[0].isupper() for w in content) / len(content) >= 0.8


DEFAULT_RULES: tuple[BoilerplateRule, ...] = (
    BoilerplateRule("photo_credit", _regex(
        r"^\W{0,3}(©|\(c\)\s)", r"^(photo|image|picture|credit|pictured|file photo)( by| credit)?\s*[:/]",
        r"go to the (mediabank|photo ?bank)",
        r"^\(?(reuters|ap( photo)?|afp|epa|getty images|tass|sputnik|xinhua|yonhap|kcna)\s*/\s*[^.]{1,60}\)?$",
        r"(/|\bvia |\bphoto:? )(reuters|ap|afp|epa|getty images|tass|sputnik|xinhua|yonhap|kcna)\)?$",
    ), "photo credits and image captions: '© Photo POOL / …', 'Photo: AP', 'REUTERS/Name', '… via REUTERS'"),
    BoilerplateRule("caption_stamp", _regex(r"\s[-–—]\s[^,]{2,60},\s\d{3,4},\s\d{2}\.\d{2}\.\d{4}\s*$"),
                    "captions ending in an outlet/date stamp: '… - Sputnik Africa, 1920, 14.09.2023'"),
    BoilerplateRule("call_to_action", _regex(
        r"^(subscribe( now)?|sign up|log ?in|register|share( this( article| story| page)?)?|tweet|print|e-?mail|copy link|"
        r"advertisement|advert|sponsored|newsletter|comments?|listen( to (this|the) article)?|"
        r"click here|show more|load more|related( articles| stories)?|most read|trending)\W*$",
        r"^(follow|join) us on\b", r"^(subscribe|sign up) (to|for|now)\b.{0,80}$",
        r"^(read|see) (also|more)( on this| here)?\s*[:|>»-]", r"^(also read|related)\s*:",
        r"^(подписаться|поделиться|реклама|читайте также|читать далее)\b",  # the same furniture on Russian sites
        r"^[(\[]?(end|ends|-30-|###)[)\]]?$", r"^our standards:",
    ), "calls to action, link furniture and end marks: 'Subscribe', 'Advertisement', 'Read also: …', '(END)'"),
    BoilerplateRule("credit_line", _regex(r"^\(?(reporting|writing|editing|additional reporting|compiled|compiling) by\s",
                                r"^/[a-z]{1,5}$", r"^\((ap|afp|reuters|tass|ria novosti|xinhua|yonhap)\)$"),
                    "wire credits: 'Reporting by …; Editing by …', '(AP)', editor's initials '/cb'"),
    BoilerplateRule("counter", _regex(r"^[\d.,]+\s*[km]?\s*(comments?|shares?|views?|likes?|reactions?|комментари\w*|просмотр\w*)?$",
                           r"^(comments?|shares?|views?|likes?)\s*[(:]?\s*\d+\)?$"),
                    "lone counters: '0', '12 comments', 'Comments (0)', '1.2K shares'"),
    BoilerplateRule("timestamp", _is_timestamp,
                    "bare date and time stamps: '9:12 a.m. ET', 'Updated 13 Sep 2023 - 18:40 GMT'"),
    BoilerplateRule("section_label", _is_section_label,
                    "section labels of at most three capitalised words and no punctuation: 'Features', 'Newsfeed'"),
    BoilerplateRule("teaser_or_caption", _is_teaser_headline,
                    "related-article teasers and image captions: a Title Case line with no closing full stop"),
)


def segment(articles: pd.DataFrame, *, rules: Sequence[BoilerplateRule] = DEFAULT_RULES,
            max_words: int = DEFAULT_MAX_WORDS) -> pd.DataFrame:
    """Split every article into paragraphs: its title first, then clean body paragraphs.

    Paragraphs longer than ``max_words`` are cut at sentence ends into ``pieces`` rows. A first body line that repeats
    the title (ignoring case, spaces and punctuation, as scraped and pasted text often has it) is dropped. An article
    whose body is only boilerplate keeps its title row and triggers a ``FramingWarning``.

    >>> paragraphs = segment(load_corpus("corpus"))          # doctest: +SKIP
    >>> paragraphs.loc[paragraphs.kind == "body", "text"].iloc[0][:40]  # doctest: +SKIP
    'WASHINGTON (Sputnik) - Kim Jong Un arrive'
    """
    attrs = dict(articles.attrs)
    articles = validate(ARTICLES, articles, "articles table")
    if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 10:
        raise FramingError(f"max_words must be a whole number of at least 10, not {max_words!r}")
    rows, only_boilerplate = [], []
    metadata = [c for c in articles.columns if c not in ("text", "language")]
    for article in articles.to_dict("records"):
        title = _clean(article["title"]) if _has_title(article) else None
        paragraphs, _ = _split_article(article["text"], rules, title)
        units = [("title", title, 1, 1)] if title else []
        for text in paragraphs:
            pieces = _pieces(text, max_words)
            units.extend(("body", piece, number, len(pieces)) for number, piece in enumerate(pieces, start=1))
        if not paragraphs:
            only_boilerplate.append(f"{article['article_id']!r} ({article.get('source', '')})")
        for position, (kind, text, piece, pieces) in enumerate(units):
            rows.append({
                "article_id": article["article_id"], "para_id": f"{article['article_id']}:p{position:03d}",
                "position": position, "kind": kind, "text": text, "n_words": len(text.split()),
                "piece": piece, "pieces": pieces, "language": article["language"],
                **{c: article[c] for c in metadata if c != "article_id"},
            })
    if only_boilerplate:  # one line for all of them, not one per article
        shown = ", ".join(only_boilerplate[:3]) + (f" and {len(only_boilerplate) - 3} more"
                                                     if len(only_boilerplate) > 3 else "")
        warnings.warn(f"article(s) {shown}: body is only boilerplate, no body paragraphs ({len(only_boilerplate)} "
                      f"in all; framing.dropped_lines lists what was dropped)", FramingWarning, stacklevel=2)
    columns = [*PARAGRAPH_COLUMNS, *(c for c in metadata if c != "article_id")]
    paragraphs = pd.DataFrame(rows, columns=columns)
    paragraphs = paragraphs.astype({c: "int64" for c in ("position", "n_words", "piece", "pieces")})
    if "date" in paragraphs.columns:
        paragraphs["date"] = pd.to_datetime(paragraphs["date"])
    paragraphs = validate(PARAGRAPHS, paragraphs, "paragraphs")
    paragraphs.attrs.update({k: v for k, v in attrs.items() if k in ("defaults", "dropped")})
    return paragraphs


def dropped_lines(articles: pd.DataFrame, *, rules: Sequence[BoilerplateRule] = DEFAULT_RULES) -> pd.DataFrame:
    """List every body line that ``segment`` drops, with the rule that dropped it (columns ``DROPPED_COLUMNS``);
    a first body line that repeats the title is listed under ``repeated_title``."""
    articles = validate(ARTICLES, articles, "articles table")
    rows = []
    for article in articles.to_dict("records"):
        title = _clean(article["title"]) if _has_title(article) else None
        _, dropped = _split_article(article["text"], rules, title)
        rows.extend({"article_id": article["article_id"], "line": n, "rule": r, "text": t} for n, r, t in dropped)
    return pd.DataFrame(rows, columns=DROPPED_COLUMNS)


def split_paragraphs(text: str) -> list[str]:
    """Split a body into paragraphs without any boilerplate rule (see ``corpus/README.md`` for the rules)."""
    return _split_article(text, rules=())[0]


def _has_title(article: dict) -> bool:
    title = article.get("title")
    return isinstance(title, str) and not is_blank(title)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()  # also folds no-break and thin spaces


def _comparable(text: str) -> str:
    """Case, spaces and punctuation folded away, so that 'KIM IN RUSSIA:' equals 'Kim in Russia'."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _split_article(text: str, rules: Sequence[BoilerplateRule],
                   title: str | None = None) -> tuple[list[str], list[tuple[int, str, str]]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[list[tuple[int, str]]] = [[]]  # blocks of (line number, text), split at blank lines
    dropped = []
    title_key = _comparable(title) if title else None
    content_started = False  # a repeated title is dropped only before the first kept line
    for number, raw in enumerate(lines, start=1):
        if is_blank(raw):
            kept.append([])
            continue
        line = _clean(raw)
        if not content_started and title_key and _comparable(line) == title_key:
            dropped.append((number, REPEATED_TITLE, line))
            continue
        rule = next((r.name for r in rules if r(line)), None)
        if rule:
            dropped.append((number, rule, line))
        else:
            kept[-1].append((number, line))
            content_started = True
    paragraphs = []
    for block in kept:
        paragraphs.extend(_paragraphs_of_block([line for _, line in block]))
    return paragraphs, dropped


def _paragraphs_of_block(lines: list[str]) -> list[str]:
    """Each line is a paragraph unless the block is hard-wrapped or a line clearly continues on the next one."""
    if not lines:
        return []
    if _is_hard_wrapped(lines):
        return [" ".join(lines)]
    paragraphs = [lines[0]]
    for line in lines[1:]:
        previous = paragraphs[-1]
        if not previous.endswith((".", "!", "?", '"', "”", "’", ":", ")")) and line[0].islower():
            paragraphs[-1] = f"{previous} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _is_hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3:
        return False
    widths = [len(line) for line in lines[:-1]]
    return min(widths) >= 40 and max(widths) - min(widths) <= 0.25 * max(widths) and len(lines[-1]) <= max(widths)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’)])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, split after '.', '!' or '?' (and a closing quote) followed by a space."""
    return [sentence for sentence in _SENTENCE_BREAK.split(text.strip()) if sentence.strip()] or [text]


def _pieces(text: str, max_words: int) -> list[str]:
    """Cut a long paragraph at sentence ends into pieces of at most max_words words (words, if one sentence is longer)."""
    if len(text.split()) <= max_words:
        return [text]
    pieces: list[list[str]] = [[]]
    for sentence in _SENTENCE_BREAK.split(text):
        words = sentence.split()
        while len(words) > max_words:
            if pieces[-1]:
                pieces.append([])
            pieces[-1].extend(words[:max_words])
            pieces.append([])
            words = words[max_words:]
        if len(pieces[-1]) + len(words) > max_words:
            pieces.append([])
        pieces[-1].extend(words)
    return [" ".join(p) for p in pieces if p]

