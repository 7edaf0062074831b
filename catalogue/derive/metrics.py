"""The metrics a leaderboard can rank by: their display names and which way is better.

A model's ``evaluations`` name metrics freely; only names in this registry (or an alias of one)
are ranked, because ranking needs a direction and a wrong direction is worse than none.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Metric(NamedTuple):
    key: str
    display: str
    higher_is_better: bool


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("accuracy", "Accuracy", True),
    Metric("balanced_accuracy", "Balanced accuracy", True),
    Metric("top5_accuracy", "Top-5 accuracy", True),
    Metric("macro_f1", "Macro F1", True),
    Metric("micro_f1", "Micro F1", True),
    Metric("f1", "F1", True),
    Metric("precision", "Precision", True),
    Metric("recall", "Recall", True),
    Metric("auc", "ROC AUC", True),
    Metric("map", "Mean average precision", True),
    Metric("iou", "Intersection over union", True),
    Metric("bleu", "BLEU", True),
    Metric("rouge_l", "ROUGE-L", True),
    Metric("r2", "R\u00b2", True),
    Metric("mae", "Mean absolute error", False),
    Metric("mse", "Mean squared error", False),
    Metric("rmse", "Root mean squared error", False),
    Metric("loss", "Loss", False),
    Metric("log_loss", "Log loss", False),
    Metric("perplexity", "Perplexity", False),
    Metric("error_rate", "Error rate", False),
)}

ALIASES = {"acc": "accuracy", "f1_macro": "macro_f1", "f1_micro": "micro_f1",
           "roc_auc": "auc", "auroc": "auc", "mean_absolute_error": "mae",
           "mean_squared_error": "mse", "root_mean_squared_error": "rmse",
           "cross_entropy": "log_loss", "top_5_accuracy": "top5_accuracy", "r_squared": "r2"}


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def metric_for(name: object) -> Metric | None:
    """The registry's metric for a name as a record writes it, or None when it is unknown."""
    if not isinstance(name, str):
        return None
    key = normalise(name)
    return METRICS.get(ALIASES.get(key, key))
