"""`tf.metrics.mean_per_class_accuracy`, `precision_at_k` and `recall_at_k` (TF 1.x streaming metrics).

Each keeps its counters in local variables under a scope named as TensorFlow names it
(`mean_accuracy/total`, `precision_at_2/true_positive_at_2`, ...) and returns `(value, update_op)`.
The at-k metrics count, per example, the top-k predicted classes that are (true positives) or are
not (false positives) among the example's labels, and the labels missed (false negatives);
ortflow counts them with one-hot masks over the classes, which needs the number of classes
(the last dim of `predictions`) to be static. Labels outside [0, num_classes) count nowhere.
"""

from __future__ import annotations

from ortflow.api import array_ops, math_ops
from ortflow.api.metrics import _collect, _metric_scope, metric_variable
from ortflow.api.ops_builder import convert_to_tensor, graph_of
from ortflow.api.variable_scope import assign_add
from ortflow.formats import dtypes as _dtypes

__all__ = ["mean_per_class_accuracy", "precision_at_k", "recall_at_k"]


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """The mean over classes of each class's accuracy (correct / seen, 0 for unseen classes).

    Returns:
        (mean_accuracy, update_op): float32 scalars; update_op adds a batch and gives the mean
        per-class accuracy after it.
    """
    from ortflow.api import state_ops

    g = graph_of(predictions, labels)
    with _metric_scope(g, name, "mean_accuracy"):
        labels = math_ops.cast(convert_to_tensor(labels), _dtypes.int64)
        predictions = convert_to_tensor(predictions)
        if labels.shape.rank is None or labels.shape.rank > 1:
            labels = array_ops.reshape(labels, [-1])
        if predictions.shape.rank is None or predictions.shape.rank > 1:
            predictions = array_ops.reshape(predictions, [-1])
        total = metric_variable([num_classes], _dtypes.float32, name="total")
        count = metric_variable([num_classes], _dtypes.float32, name="count")
        ones = array_ops.ones(array_ops.reshape(array_ops.size(labels), [1]), _dtypes.float32)
        if predictions.dtype.base_dtype != labels.dtype.base_dtype:
            predictions = math_ops.cast(predictions, labels.dtype.base_dtype)
        is_correct = math_ops.cast(math_ops.equal(predictions, labels), _dtypes.float32)
        if weights is not None:
            weights = math_ops.cast(array_ops.reshape(convert_to_tensor(weights), [-1]), _dtypes.float32)
            is_correct = math_ops.multiply(is_correct, weights)
            ones = math_ops.multiply(ones, weights)
        update_total = state_ops.scatter_add(total, labels, ones)
        update_count = state_ops.scatter_add(count, labels, is_correct)
        per_class = math_ops.div_no_nan(count.value(), math_ops.maximum(total.value(), 0.0))
        value = math_ops.reduce_mean(per_class, name="mean_accuracy")
        update_op = math_ops.div_no_nan(update_count, math_ops.maximum(update_total, 0.0), name="update_op")
        return _collect(value, update_op, metrics_collections, updates_collections)


def _hits(labels, predictions, k: int, class_id, weights):
    """(true positives, false positives, false negatives) of one batch, float64 scalars."""
    predictions = convert_to_tensor(predictions)
    dims = predictions.shape.as_list() if predictions.shape.rank is not None else None
    if not dims or dims[-1] is None:
        raise NotImplementedError("ortflow's precision_at_k / recall_at_k need predictions whose last dim "
                                  "(the number of classes) is static")
    classes = dims[-1]
    labels = math_ops.cast(convert_to_tensor(labels), _dtypes.int64)
    if labels.shape.rank == len(dims) - 1:
        labels = array_ops.expand_dims(labels, -1)
    _, top = math_ops.top_k(predictions, k)
    top_hot = math_ops.reduce_sum(array_ops.one_hot(top, classes, dtype=_dtypes.float64), axis=-2)
    label_hot = math_ops.reduce_max(array_ops.one_hot(labels, classes, dtype=_dtypes.float64), axis=-2)
    if class_id is not None:
        top_hot = top_hot[..., class_id:class_id + 1]
        label_hot = label_hot[..., class_id:class_id + 1]
    if weights is not None:
        w = array_ops.expand_dims(math_ops.cast(convert_to_tensor(weights), _dtypes.float64), -1)
        top_hot = math_ops.multiply(top_hot, w)
        label_hot = math_ops.multiply(label_hot, w)
    tp = math_ops.reduce_sum(math_ops.multiply(top_hot, label_hot))
    fp = math_ops.subtract(math_ops.reduce_sum(top_hot), tp)
    fn = math_ops.subtract(math_ops.reduce_sum(label_hot), tp)
    return tp, fp, fn


def _at_k(metric: str, other: str, labels, predictions, k, class_id, weights, metrics_collections,
          updates_collections, name):
    g = graph_of(predictions, labels)
    suffix = f"at_{k}" if class_id is None else f"at_{k}_class{class_id}"
    with _metric_scope(g, name, f"{metric}_{suffix}"):
        tp, fp, fn = _hits(labels, predictions, int(k), class_id, weights)
        extra = fp if other == "false_positive" else fn
        tp_var = metric_variable([], _dtypes.float64, name=f"true_positive_{suffix}")
        other_var = metric_variable([], _dtypes.float64, name=f"{other}_{suffix}")
        update_tp = assign_add(tp_var, tp)
        update_other = assign_add(other_var, extra)
        value = math_ops.div(tp_var.value(), math_ops.add(tp_var.value(), other_var.value()), name=metric)
        update_op = math_ops.div(update_tp, math_ops.add(update_tp, update_other), name="update")
        return _collect(value, update_op, metrics_collections, updates_collections)


def precision_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                   updates_collections=None, name=None):
    """Of the top-`k` predicted classes, the fraction among the labels (float64, NaN before data).

    Args:
        labels: int class ids, [batch] or [batch, num_labels].
        predictions: [batch, num_classes] scores (static num_classes).
        k: how many top classes count as predicted.
        class_id: count only this class.
    """
    return _at_k("precision", "false_positive", labels, predictions, k, class_id, weights,
                 metrics_collections, updates_collections, name)


def recall_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """Of the labels, the fraction among the top-`k` predicted classes (float64, NaN before data)."""
    return _at_k("recall", "false_negative", labels, predictions, k, class_id, weights,
                 metrics_collections, updates_collections, name)
