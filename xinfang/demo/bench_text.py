"""Varied text and parties for ``bench_seed`` (issue 14): real public citizen messages read at
run time from a folder (``--text-dir``, by default the shared data set), never copied into the
repository; with a built-in vocabulary from the demo's topics when the folder is absent.

The words of each text are cut once (jieba, the search index's own cut) and reused by every
petition that draws the same text, so the search index of a million petitions costs a few
thousand cuts, not a million.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from xinfang.demo._common import _id_number
from xinfang.demo.texts import _GIVEN, _SURNAMES, TOPICS

DEFAULT_TEXT_DIR = "/work/shared/data/teddy"
#: (file, title column, body column): the citizens' messages in the shared data set.
MESSAGE_FILES = (
    ("hot.csv", "title", "body"),
    ("official_test_unlabeled.csv", "title", "body"),
    ("messages_dev.csv", "title", "body"),
)
REPLY_FILE = ("replies.csv", "reply")
MAX_TEXTS = 6_000  # each is cut once for the search index (~10 ms)
MAX_REPLIES = 8_000
TITLE_MAX = 200  # Petition.title
BODY_MAX = 3_000


@dataclass
class TextPool:
    texts: list[tuple[str, str]]  # (title, content)
    replies: list[str]
    source: str  # the folder read, or "built-in"
    _terms: dict[int, list[str]] = field(default_factory=dict)
    _vectors: dict[int, str] = field(default_factory=dict)

    def pick(self, rng: random.Random) -> tuple[int, str, str]:
        i = rng.randrange(len(self.texts))
        return i, *self.texts[i]

    def terms(self, i: int) -> list[str]:
        """The search words of text ``i`` (cut once, like ``workbench.services``)."""
        got = self._terms.get(i)
        if got is None:
            from xinfang.workbench.text import terms_of_text

            title, content = self.texts[i]
            got = self._terms[i] = sorted(terms_of_text(f"{title}\n{content}"))
        return got

    def tsvector(self, i: int) -> str:
        """The same words as PostgreSQL's ``tsvector`` text (for COPY; ADR 0022)."""
        got = self._vectors.get(i)
        if got is None:
            from xinfang.workbench.words import tsvector_text

            got = self._vectors[i] = tsvector_text(self.terms(i))
        return got

    def prepare(self, jobs: int) -> None:
        """Cut every text now, with ``jobs`` processes (before the seeding's jobs are forked,
        which then inherit the words instead of each cutting every text again)."""
        import multiprocessing as mp

        from django.db import connections

        from xinfang.workbench.words import uses_tsvector

        todo = [i for i in range(len(self.texts)) if i not in self._terms]
        if todo:
            connections.close_all()  # nothing of the database crosses the fork
            with mp.get_context("fork").Pool(jobs) as pool:
                cut = pool.imap(_cut, [self.texts[i] for i in todo], chunksize=64)
                for i, words in zip(todo, cut, strict=True):
                    self._terms[i] = words
        if uses_tsvector():
            for i in range(len(self.texts)):
                self.tsvector(i)


def _cut(text: tuple[str, str]) -> list[str]:
    from xinfang.workbench.text import terms_of_text

    return sorted(terms_of_text(f"{text[0]}\n{text[1]}"))


def _clean(s: str, n: int) -> str:
    return " ".join((s or "").replace("\x00", "").split())[:n]


def text_pool(text_dir: str | None, rng: random.Random) -> TextPool:
    """The texts of ``text_dir`` (up to ``MAX_TEXTS``, sampled evenly), else built-in ones."""
    folder = Path(text_dir) if text_dir else None
    texts: list[tuple[str, str]] = []
    replies: list[str] = []
    if folder is not None and folder.is_dir():
        csv.field_size_limit(sys.maxsize)
        for name, tcol, bcol in MESSAGE_FILES:
            path = folder / name
            if not path.exists():
                continue
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    title, body = (
                        _clean(row.get(tcol, ""), TITLE_MAX),
                        _clean(row.get(bcol, ""), BODY_MAX),
                    )
                    if len(title) >= 4 and len(body) >= 10:
                        texts.append((title, body))
        path = folder / REPLY_FILE[0]
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    reply = _clean(row.get(REPLY_FILE[1], ""), BODY_MAX)
                    if len(reply) >= 10:
                        replies.append(reply)
    if texts:
        rng.shuffle(texts)
        rng.shuffle(replies)
        return TextPool(texts[:MAX_TEXTS], replies[:MAX_REPLIES] or ["已答复。"], str(folder))
    return _builtin(rng)


def _builtin(rng: random.Random) -> TextPool:
    """Texts made from the demo's topics (no data folder): fewer distinct words, same shape."""
    fill = {
        "estate": "锦绣家园", "months": "8", "place": "城关镇", "n": "120",
        "company": "宏达建设工程有限公司", "year": "2024", "town": "城关镇",
        "road": "人民路", "amount": "3.5", "village": "双庙村", "school": "实验小学",
    }  # fmt: skip

    class _Fill(dict):  # unknown placeholders stay readable
        def __missing__(self, key: str) -> str:
            return "某"

    texts = []
    for t in TOPICS:
        for title in t.titles:
            for k in range(len(t.body)):
                body = "".join(t.body[k:] + t.body[:k]) + f"请求：{t.ask}。"
                texts.append(
                    (title.format_map(_Fill(fill))[:TITLE_MAX], body.format_map(_Fill(fill)))
                )
    rng.shuffle(texts)
    return TextPool(texts, ["经调查核实，现答复如下：请按有关规定办理。"], "built-in")


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: str
    address: str


def people(rng: random.Random, n: int) -> list[Person]:
    """``n`` fictional petitioners (names, identity numbers with a valid check digit, phones);
    petitions draw from them, so some people petition more than once, as in life."""
    out = []
    for k in range(n):
        birth = date(1950 + rng.randrange(55), 1 + rng.randrange(12), 1 + rng.randrange(28))
        region = f"99{rng.randrange(1, 6):02d}{rng.choice(('02', '03', '21', '22'))}"
        out.append(
            Person(
                name=rng.choice(_SURNAMES)
                + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))),
                id_number=_id_number(region, birth, k % 1000),
                phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                address=f"青岚省某市某区{rng.randrange(1, 300)}号",
            )
        )
    return out
