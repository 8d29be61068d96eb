"""Chinese text analysis shared by indexing and querying (jieba + pypinyin).

Both sides segment with jieba the same way, so a two-character word such as 测绘 or 环评 is one
token in the index and one term in the query (trigram tokenizers never match two-character words).

Index text is stored pre-segmented: tokens joined by single spaces. The database backends feed it
to FTS5 (``unicode61``) or PostgreSQL (``to_tsvector('simple', …)``), which only split on the spaces
and lower-case; Elasticsearch gets the same text in a whitespace-analysed field.

Typo tolerance (one wrong character), in two layers:

1. **Pinyin** of every key word (names, service types, qualifications, regions) is indexed, and each
   query word also matches its pinyin. Chinese is typed through pinyin input methods, so the usual
   one-character typo is a homophone (测会 for 测绘, 环坪 for 环评): it matches at the strict stage.
2. **Masked variants** of every key word of 2–4 characters: the word with one character replaced by
   ``x`` (测绘 → ``x绘``, ``测x``). When the strict query finds nothing, the relaxed query lets each
   word also match through its own masked variants, so any single substituted character (造介 for
   造价) still finds the word. It is only a fallback because it is noisy (环评 ~ 环境 via ``环x``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

MASK = "x"
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_TERM = re.compile(r"^[0-9A-Za-z\-_./]+$")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _clean(token: str) -> str:
    """Lower-case and keep only word characters (CJK, ASCII letters and digits)."""
    return "".join(_WORD.findall(token.lower()))


def normalise_code(code: str) -> str:
    """`PH-2026-0001` → `ph20260001`: codes are indexed and queried without punctuation."""
    return re.sub(r"[^0-9a-z]", "", code.lower())


@lru_cache(maxsize=50_000)
def _pinyin(word: str) -> tuple[str, str]:
    full = "".join(lazy_pinyin(word, errors="ignore"))
    initials = "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore"))
    return full.lower(), initials.lower()


def pinyin_full(word: str) -> str:
    return _pinyin(word)[0]


def pinyin_initials(word: str) -> str:
    return _pinyin(word)[1]


def masked(word: str) -> list[str]:
    """One-substitution keys of a 2–4 character CJK word (测绘 → x绘, 测x)."""
    if not (2 <= len(word) <= 4) or not all(_CJK.match(ch) for ch in word):
        return []
    return [word[:i] + MASK + word[i + 1:] for i in range(len(word))]


def glue_single_characters(tokens) -> list[str]:
    """Clean tokens and join runs of single CJK characters back into one word.

    jieba splits words missing from its dictionary (brand names such as 正元, typos such as 测会)
    into single characters; gluing them the same way at index and query time keeps them matchable.
    """
    out: list[str] = []
    run = ""
    for token in tokens:
        clean = _clean(token)
        if not clean:
            continue
        if len(clean) == 1 and has_cjk(clean):
            run += clean
            continue
        if run:
            out.append(run)
            run = ""
        out.append(clean)
    if run:
        out.append(run)
    return out


def segment(text: str) -> list[str]:
    """Search-mode segmentation (平湖市 → 平湖, 平湖市), cleaned, single-character runs glued."""
    if not text:
        return []
    return list(_segment(text))


@lru_cache(maxsize=20_000)
def _segment(text: str) -> tuple[str, ...]:
    # Catalogue names, regions and boilerplate repeat across thousands of documents.
    return tuple(glue_single_characters(jieba.cut_for_search(text)))


# Everyday abbreviations of catalogue names (people type 环评, the catalogue says 环境影响评价).
ABBREVIATIONS = {
    "环境影响评价": ["环评"],
    "节能评估": ["能评"],
    "社会稳定风险评估": ["稳评", "社稳"],
    "安全评价": ["安评"],
    "地质灾害": ["地灾"],
    "水土保持": ["水保"],
    "交通影响评价": ["交评"],
    "职业病危害评价": ["职评"],
    "施工图审查": ["图审"],
    "可行性研究": ["可研"],
    "工程造价": ["造价"],
    "雷电防护": ["防雷"],
    "资产评估": ["资评"],
}


def abbreviations(text: str) -> list[str]:
    return [abbr for phrase, abbrs in ABBREVIATIONS.items() if phrase in text for abbr in abbrs]


def key_tokens(text: str) -> list[str]:
    """Tokens of a key field (name, service type, qualification, region): words + pinyin + masks."""
    return list(_key_tokens(text or ""))


@lru_cache(maxsize=20_000)
def _key_tokens(text: str) -> tuple[str, ...]:
    out = []
    for word in segment(text) + abbreviations(text or ""):
        out.append(word)
        if has_cjk(word):
            full = pinyin_full(word)
            if full:
                out.append(full)
            out.extend(masked(word))
    return tuple(out)


def name_tokens(name: str) -> list[str]:
    """Agency/posting names: key tokens plus the whole name's pinyin and initials (jxchfw…)."""
    out = key_tokens(name)
    if has_cjk(name):
        full, initials = _pinyin("".join(_WORD.findall(name.lower())))
        out.extend(t for t in (full, initials) if t)
    return out


def join(tokens: list[str]) -> str:
    """Join tokens with spaces, dropping repeats (keeps the text short; ranking uses IDF and length)."""
    seen: dict[str, None] = {}
    for t in tokens:
        if t and t not in seen:
            seen[t] = None
    return " ".join(seen)


# ---- queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One query word: the document must contain one of `alternatives`; `prefix` for ASCII input."""

    word: str
    alternatives: tuple[str, ...]
    prefix: bool = False
    relaxed: tuple[str, ...] = field(default=())


# Words nearly every agency name carries: they select nothing and only cost time, so a query drops
# them unless nothing else is left ("平湖 测绘 有限公司" searches 平湖 测绘).
STOP_WORDS = frozenset({"有限公司", "有限", "公司", "有限责任公司", "责任", "股份", "股份有限公司", "的", "和", "及"})


@lru_cache(maxsize=4096)
def parse_query(q: str) -> tuple[Term, ...]:
    """Split a user query into terms (AND between terms, OR inside a term's alternatives).

    Whitespace separates parts (`平湖 造价`); ASCII parts (pinyin `cehui`, initials `jxch`, USCC and
    project-code prefixes) become prefix terms; Chinese parts are cut with jieba's precise mode, and
    runs of single characters (a typo usually breaks a word into them) are glued back together.
    """
    terms: list[Term] = []
    for part in (q or "").split():
        if _ASCII_TERM.match(part):
            word = normalise_code(part)
            if word:
                terms.append(Term(word=word, alternatives=(word,), prefix=True))
            continue
        for word in glue_single_characters(jieba.cut(part)):
            if has_cjk(word):
                alts = [word]
                full = pinyin_full(word)
                if full and full not in alts:
                    alts.append(full)
                terms.append(Term(word=word, alternatives=tuple(alts), relaxed=tuple(masked(word))))
            else:
                terms.append(Term(word=word, alternatives=(word,), prefix=True))
    # Same word twice adds nothing.
    unique: dict[str, Term] = {}
    for t in terms:
        unique.setdefault(t.word, t)
    kept = [t for t in unique.values() if t.word not in STOP_WORDS]
    return tuple(kept or unique.values())
