"""Who speaks: direct and reported quotes with their speaker, per paragraph (rules; precision over recall).

    >>> paragraphs = pd.DataFrame({"para_id": ["ru01:p002"], "article_id": "ru01", "outlet_kind": "russian-state",
    ...     "text": ["Russian Ambassador to the US Anatoly Antonov said that Washington shows duplicity."]})
    >>> find_quotes(paragraphs).iloc[0][["speaker", "role", "kind"]].tolist()
    ['Anatoly Antonov', 'Russian Ambassador to the US', 'reported']

direct: words in quotation marks (" “ ” «») with a verb beside them (``"…," X said``, ``said X``, ``X said: "…"``,
``X said that "…"``, ``quoted X as saying``, ``, adding that "…"``, ``«…», — заявил X``). reported: ``X said (that) …``,
``…, X said.``, ``according to X, …``, ``X told reporters …``, ``X noted/warned/denied …``, ``По словам X, …``, up to
the sentence end, ``, adding`` or a direct quote. Scare quotes (show "duplicity") with no verb give no row; inside a
reported clause they are part of it. ``speaker`` is the person's name with titles, party tags and demonyms moved to
``role`` ("Speaker Nancy Pelosi" -> Nancy Pelosi, role Speaker; "Sen. Chuck Grassley, R-Iowa" -> Chuck Grassley); a
lone surname becomes the full name met earlier in the article, else the one full name with that surname in the whole
table; one person's spellings are merged ("Donald John Trump" and "Donald Trump": the first and last name decide);
organisations ("the Kremlin") speak too. "he"/"she" resolve to the most recently *mentioned* person before the quote
(outside quotation marks; not merely the last one quoted), skipping a name whose first name is known to be of the
other gender; a role noun ("the ambassador") resolves to the latest speaker whose role holds it or to the name written
after that role earlier. ``speaker_type`` says what was found (person, organisation, role, pronoun); ``resolved`` is
False where a pronoun or role could not be resolved, and such rows should not be counted as speakers.
``text[start:end] == quote``.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from .errors import FramingError

QUOTE_COLUMNS = ("para_id", "article_id", "outlet", "outlet_kind", "speaker", "role", "kind", "quote", "start", "end",
                 "resolved", "as_written", "speaker_type")
_ROLE_WORDS = ("spokes(?:person|man|woman)|ambassador|minister|leader|president|officials?|coordinator|secretary|"
               "advis[eo]r|envoy|diplomat|deputy|chief|head|director|representative|commander|chairman|press|foreign|"
               "national|security|council|embassy|ministry|agency|news|media|government|state|department|defen[cs]e|former|"
               "acting")
_CAP = r"(?:[A-ZА-ЯЁ][\w'’.\-]*)"
_TOK = rf"(?:{_CAP}|(?:{_ROLE_WORDS})\b)"
_SPK = (rf"(?:[Tt]he\s+)?{_TOK}(?:\s+(?:(?:{_TOK}|of|to|for|and|the)\b|[A-Z]\.(?=\s)))"   # "Louise M. Slaughter"
        rf"{{0,9}}(?:,\s+{_CAP}(?:\s+{_CAP}){{0,3}},)?")
_PRON = r"(?:[Hh]e|[Ss]he)"
_VERBS = (r"(?:said|says|added|noted|stressed|warned|claimed|argued|insisted|denied|told|stated|declared|"
          r"emphasi[sz]ed|asserted|explained|replied|wrote|recalled|underlined|cautioned|acknowledged)")
_AUX = r"(?:\s+(?:has|have|had|also|repeatedly|further|later|again|on several occasions))*"
_DAY = r"(?:\s+(?:on\s+|last\s+)?(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)?"
_FILLER = r"\s+(?:on|in|at|late|last|during|earlier|later|after|before|\w+day)\b[^\"“«.,]{0,80}?\s+that"  # said … that
_RU_VERBS = r"(?:сказал|заявил|отметил|подчеркнул|добавил|напомнил|сообщил|написал|пояснил)а?"
_RU_SPK = r"(?:[А-ЯЁ][\w-]*|посол|дипломат\w*|представител\w*|официальн\w*|министр\w*|пресс-секретар\w*|в)"
_RU_SPK = rf"{_RU_SPK}(?:\s+{_RU_SPK}){{0,7}}"

_SUBJ = rf"(?:^|,\s+)(?P<spk>{_SPK}|{_PRON}){_AUX}\s+"                       # sentence or clause start
_TOLD = rf"told(?:\s+(?:reporters|journalists|(?:the\s+)?{_CAP}(?:\s+{_CAP})*))?"
_NOT_WORDS = r"(?!adding\b|according\b|(?:on\s+)?\w+day\b|in\s+an?\s)"          # "said Monday", not the words
_END = r"\s*(?:(?<!\b[A-Z])[.,;]|$)"                                             # not the "M." of "Louise M."
_VENUE = r"(?:\s+(?:in|on|to|at)\s+[^,.;\"“«]{0,60})?"                            # said in a statement
_AFTER = [re.compile(rf"^\s*(?P<spk>{_SPK}|{_PRON})\s+{_VERBS}\b"),               # "…," Antonov said
          re.compile(rf"^\s*{_VERBS}{_DAY}\s+(?P<spk>{_SPK}){_END}"),              # "…," said Antonov.
          re.compile(rf"^\s*{_SPK}\s+quoted\s+(?P<spk>{_SPK}|him|her)\s+as\s+saying"),
          re.compile(rf"^\s*,?\s*[—–-]+\s*{_RU_VERBS}\s+(?P<spk>{_RU_SPK})")]     # «…», — заявил X
_BEFORE = [re.compile(rf"{_SUBJ}{_VERBS}{_DAY}(?:{_FILLER}|\s+that|\s*:|,)?\s*$"),  # X said (that|:) "…"
           re.compile(rf"(?:^|,\s+)(?P<spk>{_RU_SPK})\s+{_RU_VERBS}(?:\s*:|,?\s+что)\s*$")]
_REPORTED = [  # (pattern, group holding the reported words, or None for "sentence start .. match start")
    (re.compile(rf"{_SUBJ}(?:{_TOLD}|{_VERBS})\b(?:,\s+\w+,)?(?:{_FILLER}|\s+that|{_DAY})?[:,]?\s+{_NOT_WORDS}"
                rf"(?P<q>[^\s,.].*)"), "q"),                                       # X said (that) …
    (re.compile(rf",\s+(?P<spk>{_SPK}|{_PRON}){_AUX}\s+{_VERBS}{_DAY}{_VENUE}{_END}"), None),  # …, X said.
    (re.compile(rf",\s+(?:said|added|noted|according to)\s+(?P<spk>{_SPK})\s*(?:[.;]|$)"), None),
    (re.compile(rf"(?:^|,\s+)[Aa]ccording to (?P<spk>{_SPK}),\s+(?P<q>.+)"), "q"),
    (re.compile(r"^По словам (?P<spk>[^,]{1,60}),\s+(?P<q>.+)"), "q"),
    (re.compile(rf"(?:^|,\s+)(?P<spk>{_RU_SPK})\s+{_RU_VERBS},?\s+что\s+(?P<q>.+)"), "q"),
    (re.compile(rf",\s*[—–-]*\s*{_RU_VERBS}\s+(?P<spk>{_RU_SPK})\s*[.]?$"), None)]
_ADDING = re.compile(r",[\"”»]?\s+adding(?:\s+that)?\s+")
_QUOTE_SPAN = re.compile(r"\"[^\"\n]+\"|“[^”\n]+”|«[^»\n]+»")
_ABBREV = re.compile(r"(?:\b[A-Z]|Mr|Mrs|Ms|Dr|Sept|Gen|Lt|Col|St|Jr|No|Rep|Sen)$")
_STOP = set("I I've I'm We We've It It's This That As If When But And Well So There They You Our What How Now Then "
            "Also Meanwhile However In On At For After Before While Asked His Her Its Their One Some A Monday Tuesday "
            "Wednesday Thursday Friday Saturday Sunday January February March April May June July August September "
            "October November December Despite Although Though Because Since Unlike Like With Without Under Over Even "
            "Still Yet Only Instead Both Neither Either Many Most Several Few Other Others Such Those These Every "
            "Each Any No Not Never Here Where Who Whom Whose Which Why Speaking Asked Later Earlier Today Yesterday "
            "Tomorrow Last Next Sources Source Critics Supporters Aides Officials Democrats Republicans Of The To An "
            "From By Into Than".split())
# Titles, offices and demonyms written before a name: moved to ``role``.
_TITLES = set("Speaker Representative Rep. Sen. Senator Gov. Governor Mayor Judge Justice Attorney Chief Leader "
              "Majority Minority Whip Chairwoman Congressman Congresswoman Candidate Former former Rev. Sgt. Lt. "
              "Officer Detective Sheriff Professor Prof. Pope King Queen Prince Princess Sir Lady Lord Ambassador "
              "Commissioner Spokesman Spokeswoman Adviser Advisor Aide Counselor Press Secretary House Senate GOP Republican Republicans Democrat "
              "Democratic Democrats Independent Conservative Liberal Labour Tory Presidential Vice Gen. Col. Capt. "
              "Adm. Maj. Cpl. Pvt. Atty. Mexican American Russian Ukrainian Chinese Japanese Korean British French "
              "German Israeli Iranian Iraqi Syrian Saudi Canadian Cuban Venezuelan Brazilian Indian Pakistani Afghan "
              "Turkish Palestinian Egyptian European Western Soviet Italian Spanish Polish Australian Irish "
              "Scottish Dutch Swedish Greek African Arab Muslim Catholic Christian Jewish Texas California Florida "
              "Ohio Iowa Arizona Kentucky Wisconsin Louisiana Georgia Utah".split())
_STATES = ("Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
           "Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
           "Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|"
           "North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|"
           "Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming")
_PARTY_TAG = re.compile(r",?\s*\(?\b[RDI]-[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*)?\)?,?")  # R-Iowa, D-N.Y., (R-Ariz.)
_FEMALE = set("Nancy Hillary Elizabeth Sarah Michelle Kamala Susan Maxine Dianne Kirsten Amy Alexandria Ilhan "
              "Rashida Nikki Kellyanne Betsy Ruth Sonia Elena Condoleezza Madeleine Janet Loretta Kathleen Karen "
              "Mary Patricia Jennifer Linda Barbara Margaret Lisa Jeanne Jeanine Marsha Tulsi Heidi Claire Debbie "
              "Cindy Laura Melania Ivanka Hope Stephanie Sheryl Valerie Samantha Nikki Joni Kristi Gretchen Tammy "
              "Maria Anna Angela Theresa Marine Julia Yulia Maria Olga Irina Tatiana Natalia Svetlana Elena Ursula "
              "Jacinda Emily Jane Anne Ann Catherine Katherine Kate Christine Carol Rebecca Rachel Sharon Deborah "
              "Donna Gina Gloria Martha Joan Jill Megyn Ashley Jessica Lauren Elise Liz Lynne Wendy Sheila Nina "
              "Zakharova Huma Kirstjen Kellyanne Omarosa Stormy Hope Dana Meghan Chelsea Ivana Tiffany".split())
_ROLE_CAPS = set("President Ambassador Minister Foreign Prime Secretary Spokesperson Spokesman Spokeswoman Leader "
                 "Chairman Comrade Respected General Gen. Admiral Senator Mr. Mrs. Ms. Dr. Deputy Press Coordinator "
                 "Director Chief Envoy Kremlin State Department White House National Security Council Defense Russian "
                 "Korean American Ukrainian Chinese Japanese Soviet Western Supreme Vice Посол Президент Министр "
                 "России США КНДР МИД РФ Госдепартамента".split())
_ORG_HEADS = set("Kremlin Department Ministry Embassy House Council Staff Office Agency Pentagon Government "
                 "Administration Command Service Mission Russia Moscow Washington Pyongyang Seoul Kyiv Kiev Ukraine "
                 "Beijing Tokyo China Japan Korea States Nations Union media agency ministry government embassy "
                 "officials council Intelligence Conference Garden News Committee Party Campaign Foundation "
                 "Institute University College Center Association Court Congress Police Post Times Journal Network "
                 "Channel Group Tribune Herald Magazine Radio Television Tower Building Street Avenue Hall Plaza "
                 "Hotel Park Airport Station Base Island River County City Valley Beach Square Bridge Address "
                 "Speech Act Bill Law Day Week Show Program Report Order".split())


def _split_speaker(phrase: str) -> tuple[str, str, str] | None:
    """'US State Department spokesperson Matthew Miller' -> ('Matthew Miller', 'US State Department spokesperson',
    'name'); kinds: name, org, pronoun, role (a role noun like 'the ambassador'); None if not a speaker."""
    phrase = re.sub(r"^(?:The|Both)\s+", lambda m: "the " if m.group(0).startswith("The") else "", phrase.strip(" ,"))
    phrase = re.sub(r"(?<=[a-zа-яё])\.$", "", phrase)                     # "said Putin." -> "Putin"
    place = re.match(rf"(.+\s[A-Z][\w'’\-]+)\s+(of\s+(?:{_STATES}))$", phrase)
    if place and not _PARTY_TAG.search(phrase):              # "Rep. Ruben Gallego of Arizona" -> Ruben Gallego
        split = _split_speaker(place.group(1))
        if split and split[2] == "name":
            return split[0], " ".join(filter(None, [split[1], place.group(2)])), "name"
    party = _PARTY_TAG.search(phrase)
    if party:                                                    # "Sen. Chuck Grassley, R-Iowa," -> Chuck Grassley
        rest = (phrase[:party.start()] + " " + phrase[party.end():]).strip(" ,")
        split = _split_speaker(rest) if rest else None
        tag = party.group(0).strip(" ,()")
        return (split[0], " ".join(filter(None, [split[1], tag])), split[2]) if split and split[2] == "name" else None
    if phrase.lower() in {"he", "she", "him", "her"}:
        return {"him": "he", "her": "she"}.get(phrase.lower(), phrase.lower()), "", "pronoun"
    if "," in phrase:                                        # "Russia's ambassador to the US, Anatoly Antonov,"
        role, name = (p.strip() for p in phrase.rsplit(",", 1))
        return (name, role, "name") if name and _split_speaker(name) else None
    if not (tokens := phrase.split()) or any(t in _STOP for t in tokens):
        return None
    last = re.sub(r"['’]s$", "", tokens[-1])
    acronym = len(tokens) == 1 or (len(tokens) == 2 and tokens[0] == "the")    # "the FBI", "NATO"
    if last in _ORG_HEADS or "and" in tokens or (acronym and tokens[-1].isupper() and len(tokens[-1]) > 1):
        return phrase, "", "org"
    name: list[str] = []                     # trailing capitalised words, stopping at a title, org, acronym, 's
    for tok in reversed(tokens):
        if not tok[0].isupper() or tok in _ROLE_CAPS or tok in _TITLES or len(name) == 4 or (name and (
                tok in _ORG_HEADS or tok.isupper() or tok.endswith(("'s", "’s")))):
            break
        name.insert(0, tok)
    role = " ".join(tokens[: len(tokens) - len(name)])
    if name and not (role and len(name) == 1 and name[0].isupper()):      # "the Chairman of the DPRK": a role
        return " ".join(name), role, "name"
    return phrase, re.sub(r"^the\s+", "", phrase), "role"


def _sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets; never cut inside a quotation or after an abbreviation such as 'U.S.'."""
    cuts = [m.end() for m in re.finditer(r"[.!?][\"”»]?\s+(?=[\"“«A-ZА-ЯЁ])", text)
            if not any(a < m.end() < b for a, b in spans) and not _ABBREV.search(text[: m.start()])]
    return [(a, b) for a, b in zip([0, *cuts], [*cuts, len(text)]) if text[a:b].strip()]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of text[start:end] without surrounding blanks, opening marks and closing punctuation."""
    inner = text[start:end]
    return start + len(inner) - len(inner.lstrip(" \t\n\"“«")), start + len(inner.rstrip(" \t\n.,;:"))


def _paragraph_quotes(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, speaker phrase as written) for one paragraph, in text order; speaker '' = 'as before'."""
    spans = [(m.start(), m.end()) for m in _QUOTE_SPAN.finditer(text)]
    sentences = _sentences(text, spans)
    found: list[tuple[int, int, str, str]] = []
    for a, b in spans:
        sent_start = max(s for s, _ in sentences if s <= a)
        before, opens_sentence = text[sent_start:a], not text[:a].strip() or re.search(r"[.!?:][\"”»]?\s*$", text[:a])
        match = next((m for p in _AFTER if (m := p.search(text[b:b + 200]))), None) if opens_sentence else None
        match = match or next((m for p in _BEFORE if (m := p.search(before))), None)   # "…," X said | X said: "…"
        if match or ((adding := _ADDING.search(before)) and adding.end() == len(before)):  # , adding that "…"
            found.append((*_trimmed(text, a + 1, b - 1), "direct", match.group("spk") if match else ""))
    direct = [(s, e) for s, e, _, _ in found]
    inside_direct = lambda pos: any(s - 1 <= pos <= e + 1 for s, e in direct)  # noqa: E731
    for s0, s1 in sentences:
        for pattern, group in _REPORTED:
            m = pattern.search(text[s0:s1])
            if not m or _split_speaker(m.group("spk")) is None:
                continue
            qs, qe = (s0 + m.start(group), s1) if group else (s0, s0 + m.start())
            cut = _ADDING.search(text, qs, qe)
            qe = min([qe, cut.start() if cut else qe] + [s - 1 for s, _ in direct if qs < s < qe])
            if group is None and any(qs < s < qe for s, _ in direct):
                break                                              # '"…" …, which, he said, …': already attributed
            if not inside_direct(qs) and qe - qs > 10:
                found.append((*_trimmed(text, qs, qe), "reported", m.group("spk")))
                break
        for cut in _ADDING.finditer(text, s0, s1):                 # ", adding (that) …" without quotation marks
            if not inside_direct(cut.start()) and not inside_direct(cut.end()):
                found.append((*_trimmed(text, cut.end(), s1), "reported", ""))
    return sorted(found)


def _verb_like(word: str) -> bool:
    """A capitalised word that opens a sentence rather than a name: "Messaged", "Speaking" (not "Ted", "Anatoly")."""
    return (len(word) >= 7 and word.endswith("ed")) or (len(word) >= 6 and word.endswith("ing"))


def _full_name(surname: str, earlier: str) -> str:
    """The first 'Firstname Surname' in the earlier text of the article, else the surname."""
    firsts = ([t for t in m.group(1).split() if t not in _ROLE_CAPS | _ORG_HEADS | _STOP | _TITLES
               and not _verb_like(t)]                               # "Paul D. Ryan" -> Paul Ryan
              for m in re.finditer(rf"\b((?:[A-ZА-ЯЁ][a-zа-яё]+[ -]){{1,2}})(?:[A-Z]\.\s+)?{re.escape(surname)}\b",
                                   earlier))
    return next((" ".join([*first, surname]) for first in firsts if first), surname)


def _role_holder(role: str, earlier: str) -> str | None:
    """The name written right after ``role`` in the earlier text ('Russian President Vladimir Putin'), if any."""
    m = re.search(rf"(?i:\b{re.escape(role)})\s+([A-ZА-ЯЁ][\w-]+(?:\s+[A-ZА-ЯЁ][\w-]+){{0,2}})", earlier)
    split = _split_speaker(m.group(1)) if m else None
    return split[0] if split and split[2] == "name" else None


_NAME_RUN = re.compile(r"(?:\b(?P<title>Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Sgt|Lt|Col)\.\s+)?"
                       r"\b(?P<name>[A-ZА-ЯЁ][\w'’\-]+(?:\s+(?:[A-Z]\.\s+)?[A-ZА-ЯЁ][\w'’\-]+){0,5})")
_TYPES = {"name": "person", "org": "organisation", "role": "role", "pronoun": "pronoun"}


def _mentions(text: str, named: list[tuple[str, str]] = ()) -> list[str]:
    """People named in ``text`` outside quotation marks, in order of their last mention: runs of two to four
    capitalised words that read as a name, single surnames written with a title (Mr. Steele) or met before as part of
    a full name, and the surnames of speakers already named in the article."""
    plain = _QUOTE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    for m in _NAME_RUN.finditer(plain):
        words = re.sub(r"['’]s$", "", m.group("name")).split()
        while words and (words[0] in _STOP or _verb_like(words[0])):  # "Messaged WikiLeaks"
            words = words[1:]
        split = _split_speaker(" ".join(words)) if words else None
        if split is None or split[2] != "name":
            continue
        name = split[0]
        if " " in name:
            found.append((m.end(), name))
        elif m.group("title") or any(f.endswith(" " + name) for _, f in found):
            found.append((m.end(), next((f for _, f in reversed(found) if f.endswith(" " + name)), name)))
    for speaker, _ in named:
        surname = speaker.split()[-1]
        hits = [m.end() for m in re.finditer(rf"\b{re.escape(surname)}\b", plain)]
        if hits:
            found.append((hits[-1], speaker))
    return [name for _, name in sorted(found, key=lambda item: item[0])]


def _pronoun_referent(pronoun: str, before: str, named=()) -> str | None:
    """The most recently mentioned person in ``before``; for 'she' the latest with a known female first name, for 'he'
    the latest without one (a rough guard, not a gender model)."""
    people = _mentions(before, named)
    female = [p for p in people if p.split()[0] in _FEMALE]
    if pronoun == "she":
        return (female or people or [None])[-1]
    return next((p for p in reversed(people) if p.split()[0] not in _FEMALE), None)


def _resolve(phrase: str, earlier: str, named: list[tuple[str, str]], before: str = "") -> tuple[str, str, bool, str]:
    """(speaker, role, resolved, speaker_type) for a speaker phrase, given the article's text up to the quote
    (``before``), all of it so far (``earlier``) and the named speakers so far."""
    speaker, role, kind = _split_speaker(phrase) or (phrase, "", "org")
    if kind == "name":
        speaker = _full_name(speaker, earlier) if " " not in speaker else speaker
        named.append((speaker, role))
        return speaker, role, True, "person"
    if kind == "pronoun":
        person = _pronoun_referent(speaker, before or earlier, named)
        if person:
            full = _full_name(person, earlier) if " " not in person else person
            role = next((r for n, r in reversed(named) if n == full), "")
            return full, role, True, "person"
        return speaker, role, False, "pronoun"
    if kind == "role":
        match = next((n for n in reversed(named) if role.lower() in n[1].lower()), None)
        if match:
            return (*match, True, "person")
        holder = _role_holder(role, earlier)
        return (_full_name(holder, earlier), role, True, "person") if holder else (speaker, role, False, "role")
    return speaker, role, True, "organisation"


def _plain(word: str) -> str:
    """A name word without accents or possessive, for matching spellings ("Calderón" = "Calderon")."""
    return "".join(c for c in unicodedata.normalize("NFKD", re.sub(r"['’]s$", "", word))
                   if not unicodedata.combining(c))


def _canonical_names(quotes: pd.DataFrame) -> pd.Series:
    """One spelling per person across the table: names sharing first and last word are merged into the most frequent
    spelling ("Donald John Trump" -> "Donald Trump"); a lone surname becomes the one full name with that surname, if
    the table has exactly one."""
    people = quotes["speaker"].where(quotes["speaker_type"] == "person")
    full = people[people.str.contains(" ", na=False)]
    key = full.map(lambda name: tuple(_plain(t) for t in (name.split()[0], name.split()[-1])))
    spelling = {}
    for k, names in full.groupby(key):
        counts = names.value_counts()
        spelling[k] = sorted(counts.index, key=lambda n: (-counts[n], len(n)))[0]
    quoted = {spelling[k]: n for k, n in key.value_counts().items()}
    by_surname: dict[str, set] = {}
    for first, last in spelling:
        by_surname.setdefault(last, set()).add(spelling[(first, last)])

    by_first: dict[str, set] = {}
    for first, last in spelling:                      # family name first: "Kim" of Kim Jong Un
        by_first.setdefault(first, set()).add(spelling[(first, last)])

    def canonical(name, kind):
        if not isinstance(name, str):
            return name
        if kind != "person":
            return re.sub(r"\bU\.S\.(?=\s|$)", "US", name)             # "U.S. officials" = "US officials"
        tokens = [_plain(t) for t in name.split()]
        if len(tokens) > 1:
            return spelling.get((tokens[0], tokens[-1]), name)
        candidates = sorted(by_surname.get(tokens[0], set()), key=lambda n: -quoted.get(n, 0))
        if len(candidates) == 1:
            return candidates[0]
        # "Trump" with Donald, Melania and Ivanka Trump quoted: the one quoted at least 3 times as often as the rest
        if candidates and quoted.get(candidates[0], 0) >= 3 * sum(quoted.get(n, 0) for n in candidates[1:]):
            return candidates[0]
        family_first = [n for n in by_first.get(tokens[0], set()) if len(n.split()) == 3]
        return family_first[0] if not candidates and len(family_first) == 1 else name

    return pd.Series([canonical(n, k) for n, k in zip(quotes["speaker"], quotes["speaker_type"])], index=quotes.index)


def find_quotes(paragraphs: pd.DataFrame) -> pd.DataFrame:
    """One row per quote in ``paragraphs`` (columns ``QUOTE_COLUMNS``); paragraphs without a quote give no row.

    >>> find_quotes(pd.DataFrame({"para_id": ["a:p1"], "text": ['"We will talk," Putin said.']}))["speaker"].tolist()
    ['Putin']
    """
    if missing := [c for c in ("text", "para_id") if c not in paragraphs.columns]:
        raise FramingError(f"paragraphs table: missing column(s) {', '.join(missing)} needed to find quotes")
    table = paragraphs.assign(article_id=paragraphs.get("article_id", paragraphs["para_id"]))
    order, rows = (["article_id", "position"] if "position" in table else ["article_id"]), []
    for article_id, paras in table.sort_values(order, kind="stable").groupby("article_id", sort=False):
        earlier, named = "", []
        for para in paras.itertuples(index=False):
            text = para.text if isinstance(para.text, str) else ""
            previous, earlier, last = earlier, earlier + "\n" + text, None
            for start, end, kind, phrase in _paragraph_quotes(text):
                if phrase:
                    last = (*_resolve(phrase, earlier, named, previous + "\n" + text[:start]), phrase.strip(" ,"))
                elif last is None:                             # ", adding that …" with no speaker before it
                    continue
                rows.append({"para_id": para.para_id, "article_id": article_id,
                             "outlet": getattr(para, "outlet", None), "outlet_kind": getattr(para, "outlet_kind", None),
                             "speaker": last[0], "role": last[1], "kind": kind, "quote": text[start:end],
                             "start": start, "end": end, "resolved": last[2], "as_written": last[4],
                             "speaker_type": last[3]})
    quotes = pd.DataFrame(rows, columns=list(QUOTE_COLUMNS))
    if len(quotes):
        quotes["speaker"] = _canonical_names(quotes)
    return quotes


def speaker_counts(quotes: pd.DataFrame, by: str = "outlet", *, unresolved: bool = False) -> pd.DataFrame:
    """Tidy counts per ``by`` and speaker (``by``, speaker, direct, reported, total), most quoted first in each ``by``.
    Rows whose speaker could not be resolved (a pronoun or role with no referent) are not counted unless
    ``unresolved=True``: "he" is never a speaker.

    >>> paragraphs = pd.DataFrame({"para_id": ["a:p1"], "article_id": "a", "outlet_kind": "russian-state",
    ...                            "text": ['"We will talk," Putin said. Antonov said that the US shows duplicity.']})
    >>> speaker_counts(find_quotes(paragraphs), by="outlet_kind").values.tolist()
    [['russian-state', 'Antonov', 0, 1, 1], ['russian-state', 'Putin', 1, 0, 1]]
    """
    if missing := [c for c in (by, "speaker", "kind") if c not in quotes.columns]:
        raise FramingError(f"quotes table: missing column(s) {', '.join(missing)} needed to count speakers")
    if not unresolved and "resolved" in quotes.columns:
        quotes = quotes[quotes["resolved"].astype(bool)]
    counts = (pd.crosstab([quotes[by], quotes["speaker"]], quotes["kind"])
              .reindex(columns=["direct", "reported"], fill_value=0).reset_index().rename_axis(columns=None))
    counts["total"] = counts["direct"] + counts["reported"]
    return counts.sort_values([by, "total", "speaker"], ascending=[True, False, True], ignore_index=True)


def speaker_accuracy(quotes: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Each checked quote of ``gold`` (``unit_id`` = ``para_id``, ``start``, ``end``, ``speaker`` with accepted spellings
    joined by ``|``, ``source``) with the extracted quote that overlaps it most (at least half of either span) and
    whether its speaker is right: columns ``found``, ``speaker_found``, ``correct`` (False when not found).
    Spellings are compared without accents."""
    rows = []
    by_unit = {unit: part for unit, part in quotes.groupby("para_id")}
    for check in gold.itertuples(index=False):
        part, best, best_overlap = by_unit.get(check.unit_id), None, 0
        if part is not None:
            for q in part.itertuples(index=False):
                overlap = min(q.end, check.end) - max(q.start, check.start)
                if overlap >= 0.5 * min(q.end - q.start, check.end - check.start) and overlap > best_overlap:
                    best, best_overlap = q, overlap
        accepted = {_plain_name(name) for name in str(check.speaker).split("|")}
        found = best.speaker if best is not None and best.resolved else None
        rows.append({**check._asdict(), "found": best is not None, "speaker_found": found,
                     "correct": found is not None and _plain_name(found) in accepted})
    return pd.DataFrame(rows)


def _plain_name(name: str) -> str:
    return " ".join(_plain(word) for word in str(name).split())
