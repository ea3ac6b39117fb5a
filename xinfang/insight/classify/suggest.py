"""The category suggestion shown at intake, from the model ``xinfang insight train`` saved.

No model, no suggestion: the desk works the same without one. The model is loaded once per
process and reloaded when its file changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from xinfang.insight.classify.classifier import LinearTextClassifier, Suggestion
from xinfang.insight.classify.commands import default_model_path

#: Confidence from which the desk calls a suggestion likely. Measured out-of-fold on the public
#: messages (bench/insight/RESULTS.md): 86 % of messages reach 0.9 and 97 % of those are right;
#: below it the suggestion is right about two times in three, so the desk asks the clerk to check.
LIKELY = 0.9

_lock = threading.Lock()
_loaded: tuple[Path, float, LinearTextClassifier] | None = None


def _model(path: Path | None = None) -> LinearTextClassifier | None:
    global _loaded
    path = path or default_model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded is None or _loaded[0] != path or _loaded[1] != mtime:
            _loaded = (path, mtime, LinearTextClassifier.load(path))
        return _loaded[2]


def category_suggestion(
    *, title: str, body: str, path: Path | None = None
) -> tuple[Suggestion, str] | None:
    """(suggestion, model version) for a petition being registered, or None without a model."""
    if len(title.strip()) + len(body.strip()) < 4:
        return None
    model = _model(path)
    if model is None:
        return None
    return model.suggest(title, body), model.version


def suggestion_is_likely(suggestion: tuple[Suggestion, str] | None) -> bool:
    return suggestion is not None and suggestion[0].confidence >= LIKELY
