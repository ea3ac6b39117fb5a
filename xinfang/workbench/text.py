"""Words of Chinese text for the search index (jieba).

The index holds jieba's search-mode cut (long words and the shorter words inside them); a query
is cut in precise mode and each compound is replaced by the shorter words inside it. Single
characters, punctuation and spaces are dropped: they would match almost every petition.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata

from xinfang.core import ids
from xinfang.core.inputs import is_digits

MAX_TERM = 32
_WORD = re.compile(r"\w", re.UNICODE)


@functools.cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _keep(word: str) -> str | None:
    w = word.strip().lower()
    if len(w) < 2 or not _WORD.search(w):
        return None
    return w[:MAX_TERM]


def terms_of_text(text: str) -> set[str]:
    """Every word to index for ``text``."""
    out = set()
    for w in _jieba().cut_for_search(text or ""):
        k = _keep(w)
        if k:
            out.add(k)
    return out


def terms_of_query(text: str) -> list[str]:
    """The words a query must all match, in order, without repeats.

    A compound word of the query is replaced by the shorter words inside it when it has any
    ("拖欠工资" -> "拖欠", "工资"), so that the query also finds "拖欠工人工资"; the index holds
    those shorter words for every compound it holds."""
    jb = _jieba()
    out: list[str] = []
    for w in jb.cut(text or ""):
        k = _keep(w)
        if not k:
            continue
        inner = [x for x in (_keep(y) for y in jb.cut_for_search(k)) if x and x != k]
        for t in inner or [k]:
            if t not in out:
                out.append(t)
    return out[:8]


_PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-]{5,18}[0-9]$")
_ID_NUMBER = re.compile(r"^([0-9]{17}[0-9X]|[0-9]{15})$")


def search_kind_of(text: str) -> str:
    """What a search box query most likely is (issue 12 item 9): ``code`` (16 characters of the
    tracking-code alphabet, spaces and dashes ignored), ``id_number`` (a resident identity card
    number, 18 or 15 characters), ``phone`` (7 to 13 digits, with +86, spaces, dashes or
    brackets) or ``text``."""
    q = unicodedata.normalize("NFKC", text or "").strip()
    bare = re.sub(r"[\s\-]", "", q).upper()
    if len(bare) == ids.CODE_LENGTH and all(ch in ids.ALPHABET for ch in bare):
        if not is_digits(bare):
            return "code"
    if _ID_NUMBER.match(bare):
        return "id_number"
    if _PHONE.match(q) and 7 <= sum(ch.isdigit() for ch in q) <= 13:
        return "phone"
    return "text"


def whole_words(fragments: list[str] | tuple[str, ...], text: str, limit: int = 6) -> list[str]:
    """The words of ``text`` behind a classifier's character n-grams ("要被拖欠" -> "拖欠"):
    for each fragment in turn, the longest word of the text sharing two or more characters in
    a row with it. Fragments with no such word are left out (issue 12 item 12)."""
    words = sorted(terms_of_text(text), key=lambda w: (-len(w), w))
    out: list[str] = []
    for frag in fragments:
        f = re.sub(r"\s", "", frag or "").lower()
        for w in words:
            if w not in out and any(w[i : i + 2] in f for i in range(len(w) - 1)):
                out.append(w)
                break
        if len(out) >= limit:
            break
    return out
