"""Text helpers shared by the classifier, the repeat index and hot issues (pure: no Django):
cleaning a text, and picking the words that explain a result."""

from __future__ import annotations

import re
from collections.abc import Mapping

_WS = re.compile(r"[\s\x00]+")


_TERM_OK = re.compile(r"^[\u3400-\u9fff]+$")  # shown terms: Chinese characters only


# n-grams that start or end with a particle or pronoun ("街的", "了工") are fragments, not words
_EDGE = set("的了是在和与及或我你他她它们这那有也就都而被把对将从向为之其于个吗呢吧啊")


def _clean(text: object) -> str:
    """The form the model sees: a string without whitespace (the training data has none)."""
    if text is None:
        return ""
    s = _WS.sub("", str(text))
    return s.encode("utf-32-le", "replace").decode("utf-32-le")  # drop lone surrogates


def _key_text(text: str) -> str:
    """What makes two texts "the same message" for grouping reposts."""
    return re.sub(r"[\W_]+", "", text).lower()


def _good_term(term: str) -> bool:
    # A clerk should see words: no punctuation, no masked place codes ("A3区"), no fragments.
    return bool(_TERM_OK.match(term)) and term[0] not in _EDGE and term[-1] not in _EDGE


def _pick_terms(scored: Mapping[str, float], k: int, text: str = "") -> tuple[str, ...]:
    """Up to ``k`` terms with the largest positive weight, preferring longer n-grams.

    A term contained in an already chosen one is skipped; a chosen term contained in a new,
    longer one is replaced by it ("公积" + "公积金" -> "公积金"); and when ``text`` is given,
    overlapping n-grams that occur joined in it are merged ("居民医" + "民医保" -> "居民医保").
    """
    if k <= 0:
        return ()
    ranked = sorted(
        ((t, s) for t, s in scored.items() if s > 0 and _good_term(t)),
        key=lambda ts: (-ts[1], ts[0]),
    )
    multi = [ts for ts in ranked if len(ts[0]) > 1]
    pool = multi if len(multi) >= k else ranked
    chosen: list[str] = []
    for term, _ in pool:
        if any(term in c for c in chosen):
            continue
        chosen = [c for c in chosen if c not in term]
        for i, c in enumerate(chosen):
            joined = _join_overlap(c, term, text) or _join_overlap(term, c, text)
            if joined:
                chosen[i] = joined
                break
        else:
            chosen.append(term)
        if len(chosen) >= k:
            break
    return tuple(chosen)


def _join_overlap(a: str, b: str, text: str, longest: int = 8) -> str:
    """``a`` and ``b`` merged on a shared edge (a's end = b's start), if that occurs in text."""
    for m in range(min(len(a), len(b)) - 1, 0, -1):
        if a[-m:] == b[:m]:
            joined = a + b[m:]
            if len(joined) <= longest and joined in text:
                return joined
    return ""
