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

By part: ``base`` (what a classifier gives), ``linear`` with ``tfidf`` (the model), ``fake``
(the stand-in), ``evaluate`` (figures and the labelled CSV files); the text helpers shared with
the rest of insight are in ``xinfang.insight.text``.
"""

from xinfang.insight.classify.classifier.base import Suggestion, TextClassifier
from xinfang.insight.classify.classifier.evaluate import evaluate, read_messages_csv
from xinfang.insight.classify.classifier.fake import DEFAULT_KEYWORDS, FakeClassifier
from xinfang.insight.classify.classifier.linear import (
    LinearParams,
    LinearTextClassifier,
    repost_groups,
)
from xinfang.insight.classify.classifier.tfidf import _CharNgramTfidf

__all__ = [
    "DEFAULT_KEYWORDS",
    "FakeClassifier",
    "LinearParams",
    "LinearTextClassifier",
    "Suggestion",
    "TextClassifier",
    "_CharNgramTfidf",
    "evaluate",
    "read_messages_csv",
    "repost_groups",
]
