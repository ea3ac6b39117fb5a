"""The linear model: character n-gram TF-IDF and one linear SVM per class, calibrated (pure)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from xinfang.insight.classify.classifier.base import Suggestion
from xinfang.insight.classify.classifier.tfidf import _CharNgramTfidf
from xinfang.insight.pickles import old_module_names
from xinfang.insight.text import _clean, _key_text, _pick_terms


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def repost_groups(titles: Sequence[str], bodies: Sequence[str]) -> np.ndarray:
    """Group ids joining messages that share a title or a body (ignoring punctuation and case).

    Reposts must stay on one side of any train/test split, else scores are inflated.
    """
    parent = list(range(len(titles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, (t, b) in enumerate(zip(titles, bodies, strict=True)):
        for key in ("t" + _key_text(t), "b" + _key_text(b)):
            if len(key) == 1:  # empty title or body joins nothing
                continue
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    return np.asarray([find(i) for i in range(len(titles))])


@dataclass(frozen=True)
class LinearParams:
    """Hyper-parameters; part of the model version."""

    ngram_min: int = 1
    ngram_max: int = 3
    min_df: int = 2  # of the title+body n-grams
    title_weight: float = 1.0
    C: float = 0.5
    class_weight: str | None = "balanced"
    calibration_folds: int = 3
    top_k: int = 5


class LinearTextClassifier:
    """Character n-gram TF-IDF + linear SVM, with calibrated confidences and explanations."""

    FORMAT = 2

    def __init__(self, params: LinearParams | None = None) -> None:
        self.params = params or LinearParams()
        self.labels: tuple[str, ...] = ()
        self.version: str = ""
        self.temperature: float = 1.0
        self._tf_all: _CharNgramTfidf | None = None
        self._tf_title: _CharNgramTfidf | None = None
        # weights as (features, labels), C-contiguous: sparse @ dense needs no copy that way
        self._w_all: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self._w_title: np.ndarray = np.zeros((0, 0), dtype=np.float32)  # title weight folded in
        self._bias: np.ndarray = np.zeros(0, dtype=np.float32)

    # -- training -----------------------------------------------------------------------------

    def _svm(self) -> Any:
        from sklearn.svm import LinearSVC

        return LinearSVC(C=self.params.C, class_weight=self.params.class_weight)

    @staticmethod
    def _scores_of(model: Any, X: Any) -> np.ndarray:
        s = model.decision_function(X)
        if s.ndim == 1:  # two classes: sklearn gives one column, for classes_[1]
            s = np.column_stack([-s, s])
        return s

    def fit(
        self,
        titles: Sequence[str],
        bodies: Sequence[str],
        labels: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> LinearTextClassifier:
        """Train on parallel sequences; ``progress(done, total)`` is called after each step.

        Steps: vectorise; one per calibration fold (out-of-fold scores, folds grouped by repost
        so the temperature is not fitted on copies of the training text); the final SVM.
        """
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.model_selection import StratifiedGroupKFold

        if not (len(titles) == len(bodies) == len(labels)):
            raise ValueError("titles, bodies and labels must have the same length")
        ys = np.asarray([str(x) for x in labels])
        classes = sorted(set(ys.tolist()))
        if len(classes) < 2:
            raise ValueError("need at least two labels to train a classifier")
        p = self.params
        t_clean = [_clean(t) for t in titles]
        b_clean = [_clean(b) for b in bodies]
        groups = repost_groups(t_clean, b_clean)
        smallest = min(len(set(groups[ys == c].tolist())) for c in classes)
        folds = min(p.calibration_folds, smallest)
        total = 2 + (folds if folds >= 2 else 0)
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        opts = dict(
            analyzer="char",
            ngram_range=(p.ngram_min, p.ngram_max),
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float32,
        )
        docs_all = [t + "。" + b for t, b in zip(t_clean, b_clean, strict=True)]
        vec_all = TfidfVectorizer(min_df=p.min_df, **opts)
        try:
            X_all = vec_all.fit_transform(docs_all)
        except ValueError:  # min_df pruned everything (tiny corpora)
            vec_all = TfidfVectorizer(min_df=1, **opts)
            X_all = vec_all.fit_transform(docs_all)
        vec_title = TfidfVectorizer(min_df=1, **opts)
        X_title = vec_title.fit_transform([t or "。" for t in t_clean])
        X = hstack([X_all, X_title * np.float32(p.title_weight)]).tocsr()
        step()

        # Out-of-fold scores -> one temperature for the softmax (calibrated confidence).
        temperature = 1.0
        if folds >= 2:
            oof = np.zeros((len(ys), len(classes)))
            cv = StratifiedGroupKFold(folds, shuffle=True, random_state=0)
            for tr, te in cv.split(np.zeros(len(ys)), ys, groups):
                m = self._svm().fit(X[tr], ys[tr])
                cols = [classes.index(c) for c in m.classes_]
                oof[np.ix_(te, cols)] = self._scores_of(m, X[te])
                step()
            temperature = _fit_temperature(oof, np.searchsorted(classes, ys))

        model = self._svm().fit(X, ys)
        step()

        n_all = X_all.shape[1]
        coef = np.asarray(model.coef_, dtype=np.float32)
        bias = np.asarray(model.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # binary
            coef = np.vstack([-coef, coef])
            bias = np.concatenate([-bias, bias])
        self.labels = tuple(str(c) for c in model.classes_)
        self._tf_all = _CharNgramTfidf(vec_all.vocabulary_, vec_all.idf_, p.ngram_min, p.ngram_max)
        self._tf_title = _CharNgramTfidf(
            vec_title.vocabulary_, vec_title.idf_, p.ngram_min, p.ngram_max
        )
        self._w_all = np.ascontiguousarray(coef[:, :n_all].T)
        self._w_title = np.ascontiguousarray(coef[:, n_all:].T * np.float32(p.title_weight))
        self._bias = bias
        self.temperature = float(temperature)
        self.version = _version(self.params, t_clean, b_clean, ys.tolist())
        return self

    # -- prediction ---------------------------------------------------------------------------

    def _check(self) -> None:
        if self._tf_all is None or self._tf_title is None:
            raise RuntimeError("classifier is not trained: call fit() or load()")

    def _transform(self, titles: list[str], bodies: list[str]) -> tuple[Any, Any]:
        assert self._tf_all is not None and self._tf_title is not None
        X_all = self._tf_all.transform([t + "。" + b for t, b in zip(titles, bodies, strict=True)])
        X_title = self._tf_title.transform([t or "。" for t in titles])
        return X_all, X_title

    def _scores(self, X_all: Any, X_title: Any) -> np.ndarray:
        return np.asarray(X_all @ self._w_all) + np.asarray(X_title @ self._w_title) + self._bias

    def predict_proba(self, rows: Iterable[tuple[str, str]]) -> np.ndarray:
        """Calibrated probabilities, one column per entry of :attr:`labels`."""
        self._check()
        titles, bodies = _split_rows(rows)
        if not titles:
            return np.zeros((0, len(self.labels)))
        return _softmax(self._scores(*self._transform(titles, bodies)) / self.temperature)

    def suggest(self, title: str, body: str) -> Suggestion:
        return self.suggest_many([(title, body)])[0]

    def suggest_many(
        self, rows: Iterable[tuple[str, str]], top_k: int | None = None
    ) -> list[Suggestion]:
        """One suggestion per ``(title, body)``; ``top_k=0`` skips the explanations (faster)."""
        self._check()
        titles, bodies = _split_rows(rows)
        if not titles:
            return []
        k = self.params.top_k if top_k is None else top_k
        X_all, X_title = self._transform(titles, bodies)
        scores = self._scores(X_all, X_title)
        proba = _softmax(scores / self.temperature)
        best = scores.argmax(axis=1)
        runner = np.argsort(scores, axis=1)[:, -2]
        out = []
        for i, (c, r) in enumerate(zip(best.tolist(), runner.tolist(), strict=True)):
            text = titles[i] + "。" + bodies[i]
            terms = self._explain(X_all, X_title, i, c, r, k, text) if k > 0 else ()
            out.append(Suggestion(self.labels[c], float(proba[i, c]), terms))
        return out

    def predict(self, rows: Iterable[tuple[str, str]]) -> list[str]:
        """Labels only: the fastest path for bulk work."""
        self._check()
        titles, bodies = _split_rows(rows)
        if not titles:
            return []
        best = self._scores(*self._transform(titles, bodies)).argmax(axis=1)
        return [self.labels[c] for c in best.tolist()]

    def _explain(
        self, X_all: Any, X_title: Any, i: int, c: int, r: int, k: int, text: str
    ) -> tuple[str, ...]:
        """Terms of row ``i`` pushing hardest towards class ``c`` rather than the runner-up ``r``."""
        scored: dict[str, float] = {}
        for X, W, tf in (
            (X_all, self._w_all, self._tf_all),
            (X_title, self._w_title, self._tf_title),
        ):
            assert tf is not None
            lo, hi = X.indptr[i], X.indptr[i + 1]
            idx = X.indices[lo:hi]
            if not len(idx):
                continue
            contrib = X.data[lo:hi] * (W[idx, c] - W[idx, r])
            sel = np.flatnonzero((contrib > 0) & tf.showable[idx])
            many = 3 * k  # only the strongest candidates go through the Python-level code
            if len(sel) > many:
                sel = sel[np.argpartition(-contrib[sel], many)[:many]]
            for j in sel.tolist():
                term = tf.term(int(idx[j]))
                scored[term] = scored.get(term, 0.0) + float(contrib[j])
        return _pick_terms(scored, k, text)

    # -- persistence --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the model (joblib pickle of numpy arrays, parameters and version)."""
        import joblib

        self._check()
        state = {
            "format": self.FORMAT,
            "version": self.version,
            "params": asdict(self.params),
            "labels": self.labels,
            "temperature": self.temperature,
            "tf_all": self._tf_all,
            "tf_title": self._tf_title,
            "w_all": self._w_all,
            "w_title": self._w_title,
            "bias": self._bias,
        }
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        joblib.dump(state, tmp, compress=3)
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> LinearTextClassifier:
        """Load a model written by :meth:`save` (a pickle: trusted files only)."""
        import joblib

        try:
            with old_module_names():  # a model saved before insight had sub-packages
                state = joblib.load(Path(path))
        except Exception as exc:  # unpickling raises all sorts of errors on foreign files
            raise ValueError(f"{path}: cannot read a model: {exc}") from exc
        if not isinstance(state, dict) or state.get("format") != cls.FORMAT:
            raise ValueError(f"{path}: not a LinearTextClassifier file of format {cls.FORMAT}")
        obj = cls(LinearParams(**state["params"]))
        obj.version = state["version"]
        obj.labels = tuple(state["labels"])
        obj.temperature = float(state["temperature"])
        obj._tf_all, obj._tf_title = state["tf_all"], state["tf_title"]
        obj._w_all, obj._w_title, obj._bias = state["w_all"], state["w_title"], state["bias"]
        return obj


def _split_rows(rows: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    titles: list[str] = []
    bodies: list[str] = []
    for title, body in rows:
        titles.append(_clean(title))
        bodies.append(_clean(body))
    return titles, bodies


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The T minimising the log-loss of softmax(scores / T) (temperature scaling)."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        return float(np.mean(lse - z[rows, y]))

    res = minimize_scalar(nll, bounds=(math.log(0.01), math.log(100.0)), method="bounded")
    return float(math.exp(res.x))


def _version(
    params: LinearParams, titles: Sequence[str], bodies: Sequence[str], labels: Sequence[str]
) -> str:
    """A stable id of (training data, parameters, model code): same inputs, same version."""
    import sklearn

    h = hashlib.sha256()
    meta = {"format": LinearTextClassifier.FORMAT, "params": asdict(params)}
    meta["sklearn"] = sklearn.__version__
    h.update(json.dumps(meta, sort_keys=True).encode())
    for t, b, y in zip(titles, bodies, labels, strict=True):
        h.update(b"\x1e")
        h.update("\x1f".join((t, b, y)).encode())
    return f"linear-char-{h.hexdigest()[:16]}"
