"""Where a petition's search words are kept, by database engine (ADR 0022).

* **PostgreSQL**: one ``PetitionWords`` row per petition, its words one ``tsvector`` made by
  ``array_to_tsvector`` (jieba's words as they are: no parser, no stemming, no positions) under
  a GIN index; a query is ``words @@ 'w1' & 'w2' …``, every word quoted.
* **SQLite**: one ``PetitionTerm`` row per word under a ``(term, petition)`` index; a query is
  one ``petition_id IN (… WHERE term = w)`` per word.

Either way a petition matches when every word of the query is among its words: the same words
(``text.terms_of_text``), the same query words (``text.terms_of_query``), the same answer. The
rest of the workbench goes through these functions and never reads either table itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from xinfang.workbench.models import PetitionTerm, PetitionWords

#: The GIN index over ``PetitionWords.words`` (migration 0004; outside the model's
#: ``Meta.indexes`` because SQLite has no GIN).
GIN_INDEX = "petition_words_gin"


def uses_tsvector() -> bool:
    return connection.vendor == "postgresql"


def gin_index_sql() -> str:
    t = connection.ops.quote_name(PetitionWords._meta.db_table)
    return f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {t} USING gin (words)"


def _quoted(word: str) -> str:
    """A lexeme as tsvector/tsquery input reads it back unchanged: in single quotes, with
    quotes and backslashes doubled."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(words: Iterable[str]) -> str:
    """The text form of ``array_to_tsvector(words)`` (for COPY, ``bench_seed``)."""
    return " ".join(_quoted(w) for w in sorted(set(words)))


def tsquery_text(words: Sequence[str]) -> str:
    """Every word of ``words`` (AND), each a quoted lexeme: ``'物业' & '收费'``."""
    return " & ".join(_quoted(w) for w in words)


def words_write(*, words: Mapping[int, Iterable[str]]) -> None:
    """Replace the search words of the petitions in ``words`` (petition id -> its words), in
    the caller's transaction. A petition without words has no row."""
    if not words:
        return
    ids = list(words)
    pids: list[int] = []
    terms: list[str] = []
    for pid, ws in words.items():
        for w in sorted(set(ws)):
            pids.append(pid)
            terms.append(w)
    qn = connection.ops.quote_name
    with connection.cursor() as c:
        if uses_tsvector():
            t = qn(PetitionWords._meta.db_table)
            c.execute(f"DELETE FROM {t} WHERE petition_id = ANY(%s::bigint[])", [ids])
            if pids:  # one statement: two arrays, unnested and grouped per petition
                c.execute(
                    f"INSERT INTO {t} (petition_id, words) "
                    "SELECT pid, array_to_tsvector(array_agg(w)) "
                    "FROM unnest(%s::bigint[], %s::text[]) AS u(pid, w) GROUP BY pid",
                    [pids, terms],
                )
            return
        PetitionTerm.objects.filter(petition_id__in=ids).delete()
        c.executemany(
            f"INSERT INTO {qn(PetitionTerm._meta.db_table)} (petition_id, term) VALUES (%s, %s)",
            list(zip(pids, terms, strict=True)),
        )


def words_delete(*, petition_ids: Sequence[int]) -> None:
    """Take these petitions out of the index (their words only; nothing else)."""
    if uses_tsvector():
        PetitionWords.objects.filter(petition_id__in=petition_ids).delete()
    else:
        PetitionTerm.objects.filter(petition_id__in=petition_ids).delete()


def words_of(*, petition_ids: Sequence[int]) -> dict[int, set[str]]:
    """The indexed words of these petitions (a petition not indexed is absent)."""
    out: dict[int, set[str]] = {}
    if uses_tsvector():
        t = connection.ops.quote_name(PetitionWords._meta.db_table)
        with connection.cursor() as c:
            c.execute(
                f"SELECT petition_id, tsvector_to_array(words) FROM {t} "
                "WHERE petition_id = ANY(%s::bigint[])",
                [list(petition_ids)],
            )
            for pid, ws in c.fetchall():
                out[pid] = set(ws)
        return out
    for pid, w in PetitionTerm.objects.filter(petition_id__in=petition_ids).values_list(
        "petition_id", "term"
    ):
        out.setdefault(pid, set()).add(w)
    return out


def petitions_with_all(words: Sequence[str]) -> QuerySet[PetitionWords]:
    """(PostgreSQL) The ids of the petitions holding every one of ``words``, as a subquery."""
    return PetitionWords.objects.filter(words__matches=tsquery_text(words)).values("petition_id")


def petitions_with(word: str) -> QuerySet[PetitionTerm]:
    """(SQLite) The ids of the petitions holding ``word``, as a subquery."""
    return PetitionTerm.objects.filter(term=word).values("petition_id")


def petition_has_word(word: str) -> Exists:
    """(SQLite) Whether the outer query's petition holds ``word``: one probe of the
    (petition, term) primary key per petition, as a condition."""
    return Exists(PetitionTerm.objects.filter(petition_id=OuterRef("pk"), term=word))
