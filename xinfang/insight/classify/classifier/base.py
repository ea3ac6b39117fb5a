"""What a text classifier gives and promises: :class:`Suggestion`, :class:`TextClassifier` (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Suggestion:
    """One suggested category for one petition."""

    label: str
    confidence: float  # in [0, 1]; calibrated probability of ``label`` for the linear model
    top_terms: tuple[str, ...]  # words/n-grams of the text that pushed towards ``label``


@runtime_checkable
class TextClassifier(Protocol):
    labels: tuple[str, ...]
    version: str

    def suggest(self, title: str, body: str) -> Suggestion: ...

    def suggest_many(self, rows: Iterable[tuple[str, str]]) -> list[Suggestion]: ...
