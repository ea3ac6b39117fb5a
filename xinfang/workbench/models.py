"""The staff workbench: saved worklist filters and the search index of petition texts."""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import User
from xinfang.petitions.models import Petition


class SavedFilter(models.Model):
    """A worklist filter a user saved under a name; only its owner lists, uses or deletes it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("名称", max_length=50)
    query = models.CharField("筛选条件", max_length=500)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "常用筛选"
        indexes = [models.Index(fields=["user", "name"], name="saved_filter_user")]

    def __str__(self) -> str:
        return self.name


class PetitionTerm(models.Model):
    """One word of a petition's title or content (jieba), for full-text search in Chinese.
    SQLite only since ADR 0022 (PostgreSQL keeps one ``PetitionWords`` row per petition)."""

    # Two indexes only (~28 rows per petition are written at registration): the primary key
    # (petition, term) also serves deleting a petition's words; (term, petition) serves search.
    pk = models.CompositePrimaryKey("petition", "term")
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    term = models.CharField(max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "检索词"
        indexes = [models.Index(fields=["term", "petition"], name="petition_term")]


class SearchWordsField(models.TextField):
    """A petition's search words as one value: PostgreSQL's ``tsvector`` (ADR 0022); plain text
    on other engines, where the column stays empty (SQLite keeps ``PetitionTerm``)."""

    def db_type(self, connection):  # type: ignore[no-untyped-def]
        return "tsvector" if connection.vendor == "postgresql" else "text"


@SearchWordsField.register_lookup
class WordsMatch(models.Lookup):  # type: ignore[type-arg]
    """``words__matches=<tsquery text>``: ``words @@ '<w1>' & '<w2>' …`` (``workbench.words``
    builds the query text from whole words, quoted, so nothing in them is an operator)."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


class PetitionWords(models.Model):
    """Every search word of one petition in one row (PostgreSQL only, ADR 0022): a ``tsvector``
    of jieba's words as they are (``array_to_tsvector``: no parsing, stemming or positions)
    under a GIN index (``petition_words_gin``, made by the migration: PostgreSQL only). It
    replaced ``PetitionTerm`` there, a row per word taking six times the bytes."""

    petition = models.OneToOneField(
        Petition, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    words = SearchWordsField()

    class Meta:
        verbose_name = verbose_name_plural = "检索词（每件一行）"


class SearchPending(models.Model):
    """A registered petition whose words are not in the index yet.

    Registration writes one of these instead of the words themselves (cutting the text with
    jieba is most of the cost of indexing, and it would halve the registration rate); the
    indexer (``workbench.indexer``) drains the queue after the commit. Until then search reads
    these petitions' title and content directly, so a petition is found from the moment it is
    registered."""

    petition = models.OneToOneField(
        Petition, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "待建检索索引"
