"""Category suggestion for petitions (pure: no Django, no database, no network).

A clerk registering a petition sees a suggested first-level category (e.g. 城乡建设, 劳动和社会保障),
how sure the model is, and the words that drove the suggestion.  The clerk decides; the model only
suggests.

Model (:class:`LinearTextClassifier`): character 1–3-gram TF-IDF of title+body, plus a separate
character 1–3-gram TF-IDF of the title alone (so the title counts twice), feeding one linear SVM per
class (one-vs-rest, class-balanced).  Confidences are the softmax of the SVM scores with a
temperature fitted on out-of-fold scores of the training data, so that "0.9" means about nine in
ten right.  Character n-grams need no word segmenter, which keeps bulk classification fast; on the
Teddy Cup messages word (jieba) features added nothing measurable on top of them (see
``bench/insight/RESULTS.md``).

Saved models are pickles (joblib): load only files this system wrote itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "DEFAULT_KEYWORDS",
    "FakeClassifier",
    "LinearParams",
    "LinearTextClassifier",
    "Suggestion",
    "TextClassifier",
    "evaluate",
    "read_messages_csv",
    "repost_groups",
]


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


# ---------------------------------------------------------------------------------------------
# text helpers

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


# ---------------------------------------------------------------------------------------------
# fast character n-gram TF-IDF

_BITS = 21  # a Unicode code point fits in 21 bits, so up to three characters fit in one int64
_MASK = (1 << _BITS) - 1


class _CharNgramTfidf:
    """Applies a fitted sklearn char-n-gram ``TfidfVectorizer`` (sublinear tf, l2 norm) in numpy.

    sklearn counts n-grams in a Python loop (about 2 ms for a typical petition); here each n-gram
    of up to three characters is packed into one int64 and looked up with ``searchsorted`` for a
    whole batch at once, which is one to two orders of magnitude faster and gives the same matrix.
    """

    def __init__(self, vocabulary: Mapping[str, int], idf: np.ndarray, nmin: int, nmax: int):
        if not 1 <= nmin <= nmax <= 3:
            raise ValueError("n-gram lengths must be within 1..3")
        self.nmin, self.nmax = nmin, nmax
        self.idf = np.asarray(idf, dtype=np.float32)
        self.n_features = len(self.idf)
        self.feat_len = np.zeros(self.n_features, dtype=np.int8)
        self.feat_key = np.zeros(self.n_features, dtype=np.int64)
        for term, fid in vocabulary.items():
            self.feat_len[fid] = len(term)
            self.feat_key[fid] = self._key(term)
        self.showable = self._showable()
        self.tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in range(nmin, nmax + 1):
            fids = np.flatnonzero(self.feat_len == n)
            order = np.argsort(self.feat_key[fids], kind="stable")
            self.tables[n] = (self.feat_key[fids][order], fids[order].astype(np.int32))

    @staticmethod
    def _key(term: str) -> int:
        k = 0
        for ch in term:
            k = (k << _BITS) | ord(ch)
        return k

    def _showable(self) -> np.ndarray:
        """Per feature: may it be shown to a clerk (see ``_good_term``)? Vectorised."""
        n = self.feat_len.astype(np.int64)
        ok = n > 0
        edge = np.fromiter((ord(ch) for ch in _EDGE), dtype=np.int64)
        for j in range(3):
            present = j < n
            shift = np.where(present, _BITS * (n - 1 - j), 0)
            ch = (self.feat_key >> shift) & _MASK
            cjk = (ch >= 0x3400) & (ch <= 0x9FFF)
            ok &= ~present | cjk
            if j == 0:
                ok &= ~np.isin(ch, edge)
            ok &= ~(present & (j == n - 1) & np.isin(ch, edge))
        return ok

    def term(self, fid: int) -> str:
        n, k = int(self.feat_len[fid]), int(self.feat_key[fid])
        return "".join(chr((k >> (_BITS * (n - 1 - j))) & _MASK) for j in range(n))

    def transform(self, docs: Sequence[str]) -> Any:
        from scipy.sparse import csr_matrix

        n_docs = len(docs)
        # one buffer, documents separated by NUL (never part of the vocabulary, see _clean)
        codes = np.frombuffer("\0".join(docs).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n_docs)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths + 1)[: len(codes)]
        found_docs, found_fids = [], []
        for n, (keys, fids) in self.tables.items():
            m = len(codes) - n + 1
            if m <= 0 or not len(keys):
                continue
            k = codes[:m].copy()
            for j in range(1, n):
                k = (k << _BITS) | codes[j : j + m]
            pos = np.searchsorted(keys, k)
            pos[pos == len(keys)] = 0
            hit = keys[pos] == k
            found_docs.append(doc_of[:m][hit])
            found_fids.append(fids[pos[hit]])
        if found_docs:
            pair = np.concatenate(found_docs) * self.n_features + np.concatenate(found_fids)
        else:
            pair = np.zeros(0, dtype=np.int64)
        pair, counts = np.unique(pair, return_counts=True)  # sorted: by document, then feature
        rows, cols = np.divmod(pair, self.n_features)
        data = (np.log(counts.astype(np.float32)) + np.float32(1.0)) * self.idf[cols]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=n_docs))
        norms[norms == 0] = 1.0
        data = (data / norms[rows]).astype(np.float32)
        return csr_matrix((data, cols.astype(np.int32), indptr), shape=(n_docs, self.n_features))


# ---------------------------------------------------------------------------------------------
# the real model


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


# ---------------------------------------------------------------------------------------------
# a deterministic stand-in for tests elsewhere

DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("物业", "小区", "拆迁", "房屋", "业主", "违建", "供水", "燃气", "规划", "施工"),
    "劳动和社会保障": ("工资", "社保", "养老", "医保", "公积金", "劳动", "退休", "失业", "拖欠"),
    "教育文体": ("学校", "学生", "教师", "老师", "幼儿园", "招生", "教育", "学费", "体育"),
    "商贸旅游": ("商家", "消费", "价格", "传销", "诈骗", "旅游", "市场", "超市", "退款"),
    "环境保护": ("污染", "噪音", "排放", "环保", "污水", "垃圾焚烧", "扬尘", "废气", "异味"),
    "卫生计生": ("医院", "医生", "患者", "卫生", "生育", "计生", "疫苗", "药品", "二胎"),
    "交通运输": ("公交", "出租车", "道路", "交通", "客运", "公路", "驾驶", "高速", "车辆"),
}


class FakeClassifier:
    """Keyword-table classifier: deterministic, instant, no training.  For tests and demos.

    Score of a label = occurrences of its keywords in the title (counted twice) and the body.
    The best score wins; ties go to the label listed first.  With no keyword at all, the first
    label (or ``default``) is suggested with confidence 0.
    """

    def __init__(
        self,
        keywords: Mapping[str, Sequence[str]] | None = None,
        default: str | None = None,
    ) -> None:
        table = DEFAULT_KEYWORDS if keywords is None else keywords
        if not table:
            raise ValueError("keyword table is empty")
        self._table = {str(k): tuple(v) for k, v in table.items()}
        self.labels: tuple[str, ...] = tuple(self._table)
        if default is not None and default not in self.labels:
            raise ValueError(f"default label {default!r} is not in the table")
        self._default = default if default is not None else self.labels[0]
        digest = hashlib.sha256(
            json.dumps([self._table, self._default], ensure_ascii=False).encode()
        ).hexdigest()
        self.version = f"fake-{digest[:12]}"

    def suggest(self, title: str, body: str) -> Suggestion:
        t, b = _clean(title), _clean(body)
        scores: list[float] = []
        hits: list[list[tuple[int, str]]] = []
        for words in self._table.values():
            found = [(2 * t.count(w) + b.count(w), w) for w in words if w and (w in t or w in b)]
            hits.append(found)
            scores.append(float(sum(n for n, _ in found)))
        total = sum(scores)
        if total == 0:
            return Suggestion(self._default, 0.0, ())
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        terms = tuple(w for _, w in sorted(hits[best], key=lambda nw: (-nw[0], nw[1])))[:5]
        return Suggestion(self.labels[best], scores[best] / total, terms)

    def suggest_many(self, rows: Iterable[tuple[str, str]]) -> list[Suggestion]:
        return [self.suggest(t, b) for t, b in rows]


# ---------------------------------------------------------------------------------------------
# evaluation


def evaluate(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and the confusion matrix.

    ``confusion[i][j]`` counts items of true label ``labels[i]`` predicted as ``labels[j]``.
    Macro-F1 is the mean of the per-class F1 over ``labels`` (the challenge's measure).
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    labs = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labs, zero_division=0)
    with warnings.catch_warnings():  # sklearn warns when only one label occurs
        warnings.simplefilter("ignore", UserWarning)
        cm = confusion_matrix(y_true, y_pred, labels=labs)
    return {
        "macro_f1": float(np.mean(f)) if labs else 0.0,
        "accuracy": float(accuracy_score(y_true, y_pred)) if len(y_true) else 0.0,
        "labels": tuple(labs),
        "per_class": {
            lab: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labs)
        },
        "confusion": [[int(v) for v in row] for row in cm],
    }


# ---------------------------------------------------------------------------------------------
# reading data

_ALIASES = {
    "id": ("id", "留言编号", "编号", "信访编号"),
    "user": ("user", "留言用户", "用户"),
    "title": ("title", "留言主题", "主题", "标题"),
    "body": ("body", "留言详情", "详情", "内容", "text", "content"),
    "time": ("time", "留言时间", "时间"),
    "label": ("label", "一级标签", "一级分类", "category", "类别", "分类"),
    "reply": ("reply", "答复意见", "答复"),
    "reply_time": ("reply_time", "答复时间"),
    "likes": ("likes", "点赞数"),
    "dislikes": ("dislikes", "反对数"),
}
_CANON = {alias.lower(): key for key, names in _ALIASES.items() for alias in names}
_POSITIONAL = ("id", "title", "body", "label")


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def read_messages_csv(path: str | Path) -> list[dict[str, str]]:
    """Read petitions/messages from a CSV file.

    Accepts the public Teddy Cup files (``id,title,body,time,label``, ``title,label``,
    ``id,user,title,time,body,likes,dislikes`` …, also their original Chinese headers such as
    留言主题/留言详情/一级标签), any file whose header names ``title`` and ``body`` columns, and the
    simple header-less format ``id,title,body[,label]``.  UTF-8 (with or without BOM) or GB18030.

    Every returned dict has ``id``, ``title`` and ``body`` (``id`` is the 1-based row number when
    the file has none); ``label`` is present when the file has a label column; other columns are
    kept under their canonical (English) or original names.  Cells are stripped; blank rows are
    skipped.
    """
    text = _decode(Path(path).read_bytes())
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return []
    first = [cell.strip().lower() for cell in rows[0]]
    canon = [_CANON.get(cell, cell) for cell in first]
    if "title" in canon or "body" in canon:
        keys, data = canon, rows[1:]
    else:
        keys, data = list(_POSITIONAL), rows
    out: list[dict[str, str]] = []
    for n, row in enumerate(data, start=1):
        rec: dict[str, str] = {}
        for key, cell in zip(keys, row, strict=False):  # short/long rows
            if key and key not in rec:
                rec[key] = cell.strip()
        rec.setdefault("id", str(n))
        rec.setdefault("title", "")
        rec.setdefault("body", "")
        if not rec["id"]:
            rec["id"] = str(n)
        out.append(rec)
    return out
