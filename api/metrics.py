"""`tf.metrics` (TF 1.x): streaming metrics as (value, update_op) over local variables.

Each metric keeps its counters in variables of the LOCAL_VARIABLES and METRIC_VARIABLES
collections (initialized by `local_variables_initializer()`); running `update_op` adds a batch,
`value` reads the metric so far. Values equal TensorFlow's.
"""

from __future__ import annotations

import contextlib

import numpy as np
from ortflow.api import array_ops, math_ops
from ortflow.api.ops_builder import apply_op_output, constant, convert_to_tensor, graph_of
from ortflow.api.variable_scope import assign_add, make_variable, variable_scope
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, get_default_graph

__all__ = [
    "accuracy",
    "auc",
    "false_negatives",
    "false_negatives_at_thresholds",
    "false_positives",
    "false_positives_at_thresholds",
    "mean",
    "mean_absolute_error",
    "mean_cosine_distance",
    "mean_iou",
    "mean_relative_error",
    "mean_squared_error",
    "metric_variable",
    "percentage_below",
    "precision",
    "precision_at_thresholds",
    "recall",
    "recall_at_thresholds",
    "root_mean_squared_error",
    "sensitivity_at_specificity",
    "specificity_at_sensitivity",
    "true_negatives",
    "true_negatives_at_thresholds",
    "true_positives",
    "true_positives_at_thresholds",
]

_COLLECTIONS = [GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES]


def metric_variable(shape, dtype, validate_shape=True, name=None):
    """A zero-initialized, non-trainable local variable for a metric's counter."""
    dtype = _dtypes.as_dtype(dtype)
    return make_variable(lambda: array_ops.zeros(shape, dtype), name=name, dtype=dtype, trainable=False,
                         collections=_COLLECTIONS, validate_shape=validate_shape)


@contextlib.contextmanager
def _metric_scope(g, name, default_name):
    # TF opens a variable scope (with its name scope) per metric; the counters are named by it.
    with g.as_default(), variable_scope(name, default_name):
        yield


def _collect(value, update_op, metrics_collections, updates_collections):
    g = get_default_graph()
    for key in metrics_collections or ():
        g.add_to_collection(key, value)
    for key in updates_collections or ():
        g.add_to_collection(key, update_op)
    return value, update_op


def _float(x):
    return math_ops.cast(convert_to_tensor(x), _dtypes.float32)


def mean(values, weights=None, metrics_collections=None, updates_collections=None, name=None):
    """The (weighted) mean of all values seen: total / count."""
    g = graph_of(values)
    with _metric_scope(g, name, "mean"):
        values = _float(values)
        total = metric_variable([], _dtypes.float32, name="total")
        count = metric_variable([], _dtypes.float32, name="count")
        if weights is None:
            num_values = math_ops.cast(array_ops.size(values), _dtypes.float32)
        else:
            weights = math_ops.multiply(_float(weights), array_ops.ones_like(values))
            values = math_ops.multiply(values, weights)
            num_values = math_ops.reduce_sum(weights)
        update_total = assign_add(total, math_ops.reduce_sum(values))
        with g.control_dependencies([values]):
            update_count = assign_add(count, num_values)
        value = apply_op_output("DivNoNan", [total.value(), count.value()], name="value")
        update_op = apply_op_output("DivNoNan", [update_total, update_count], name="update_op")
        return _collect(value, update_op, metrics_collections, updates_collections)


def accuracy(labels, predictions, weights=None, metrics_collections=None, updates_collections=None,
             name=None):
    """How often `predictions` equals `labels` (predictions cast to the labels' dtype first)."""
    g = graph_of(predictions, labels)
    with g.as_default():
        labels = convert_to_tensor(labels)
        predictions = convert_to_tensor(predictions)
        if predictions.dtype.base_dtype != labels.dtype.base_dtype:
            predictions = math_ops.cast(predictions, labels.dtype.base_dtype)
        is_correct = math_ops.cast(math_ops.equal(predictions, labels), _dtypes.float32)
        return mean(is_correct, weights, metrics_collections, updates_collections, name or "accuracy")


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    errors = math_ops.abs(math_ops.subtract(_float(predictions), _float(labels)))
    return mean(errors, weights, metrics_collections, updates_collections, name or "mean_absolute_error")


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    errors = math_ops.squared_difference(_float(predictions), _float(labels))
    return mean(errors, weights, metrics_collections, updates_collections, name or "mean_squared_error")


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """sqrt of `mean_squared_error`, whose counters live in scope `name` (default
    `root_mean_squared_error`); the two Sqrt ops sit outside it, as in TF."""
    g = graph_of(predictions, labels)
    with g.as_default():
        mse, update_mse = mean_squared_error(labels, predictions, weights, name=name or "root_mean_squared_error")
        return _collect(math_ops.sqrt(mse), math_ops.sqrt(update_mse), metrics_collections, updates_collections)


def mean_relative_error(labels, predictions, normalizer, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    errors = apply_op_output("DivNoNan", [math_ops.abs(math_ops.subtract(_float(labels), _float(predictions))),
                                          _float(normalizer)])
    return mean(errors, weights, metrics_collections, updates_collections, name or "mean_relative_error")


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """1 - the running mean of sum(predictions * labels, dim) (unit-normalized inputs)."""
    g = graph_of(predictions, labels)
    with g.as_default():
        radial = math_ops.reduce_sum(math_ops.multiply(_float(predictions), _float(labels)), [dim],
                                     keepdims=True)
        mean_radial, update_radial = mean(radial, weights, name=name or "mean_cosine_distance")
        return _collect(math_ops.subtract(1.0, mean_radial), math_ops.subtract(1.0, update_radial),
                        metrics_collections, updates_collections)


def percentage_below(values, threshold, weights=None, metrics_collections=None, updates_collections=None,
                     name=None):
    is_below = math_ops.cast(math_ops.less(_float(values), threshold), _dtypes.float32)
    return mean(is_below, weights, metrics_collections, updates_collections, name or "percentage_below_threshold")


# -- confusion counts ----------------------------------------------------------------------------

def _bools(labels, predictions):
    labels = math_ops.cast(convert_to_tensor(labels), _dtypes.bool)
    predictions = math_ops.cast(convert_to_tensor(predictions), _dtypes.bool)
    return labels, predictions


def _count_condition(condition, weights, metrics_collections, updates_collections):
    count = metric_variable([], _dtypes.float32, name="count")
    values = math_ops.cast(condition, _dtypes.float32)
    if weights is not None:
        values = math_ops.multiply(values, _float(weights))
    value = array_ops.identity(count.value())
    update_op = assign_add(count, math_ops.reduce_sum(values))
    return _collect(value, update_op, metrics_collections, updates_collections)


def _counter(default_name, want_label: bool, want_prediction: bool):
    def fn(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
        g = graph_of(predictions, labels)
        with _metric_scope(g, name, default_name):
            labels_b, predictions_b = _bools(labels, predictions)
            label_ok = labels_b if want_label else math_ops.logical_not(labels_b)
            pred_ok = predictions_b if want_prediction else math_ops.logical_not(predictions_b)
            return _count_condition(math_ops.logical_and(label_ok, pred_ok), weights, metrics_collections,
                                    updates_collections)
    fn.__name__ = default_name
    fn.__doc__ = f"The (weighted) number of {default_name.replace('_', ' ')}."
    return fn


true_positives = _counter("true_positives", True, True)
false_positives = _counter("false_positives", False, True)
true_negatives = _counter("true_negatives", False, False)
false_negatives = _counter("false_negatives", True, False)


def _ratio(numerator, denominator_extra, name):
    total = math_ops.add(numerator, denominator_extra)
    return array_ops.where(math_ops.greater(total, 0), math_ops.div(numerator, total), 0.0 * total, name=name)


def _tp_ratio(default_name: str, other_counter, doc: str):
    # precision and recall: tp / (tp + other) over the running tp and `other` counters.
    def fn(labels, predictions, weights=None, metrics_collections=None, updates_collections=None, name=None):
        g = graph_of(predictions, labels)
        with _metric_scope(g, name, default_name):
            tp, tp_update = true_positives(labels, predictions, weights)
            other, other_update = other_counter(labels, predictions, weights)
            value = _ratio(tp, other, "value")
            update_op = _ratio(tp_update, other_update, "update_op")
            return _collect(value, update_op, metrics_collections, updates_collections)
    fn.__name__ = default_name
    fn.__doc__ = doc
    return fn


precision = _tp_ratio("precision", false_positives,
                      "tp / (tp + fp) over all batches seen (0 when nothing was predicted positive).")
recall = _tp_ratio("recall", false_negatives, "tp / (tp + fn) over all batches seen (0 when there were no positives).")


# -- counts at thresholds ----------------------------------------------------------------------

_KINDS = ("tp", "fn", "tn", "fp")


def _confusion_at_thresholds(labels, predictions, thresholds, weights=None, includes=_KINDS):
    """Variables and update ops of tp/fn/tn/fp at each threshold (prediction > threshold)."""
    n = len(thresholds)
    predictions = array_ops.reshape(_float(predictions), [-1, 1])
    labels = array_ops.reshape(math_ops.cast(convert_to_tensor(labels), _dtypes.bool), [-1, 1])
    above = math_ops.greater(predictions, constant(np.array([thresholds], dtype=np.float32)))
    below = math_ops.logical_not(above)
    is_pos = array_ops.tile(labels, [1, n])
    is_neg = math_ops.logical_not(is_pos)
    w = None if weights is None else array_ops.reshape(_float(weights), [-1, 1])
    conditions = {"tp": (is_pos, above), "fn": (is_pos, below), "tn": (is_neg, below), "fp": (is_neg, above)}
    values, updates = {}, {}
    for kind in includes:
        var = metric_variable([n], _dtypes.float32, name={"tp": "true_positives", "fn": "false_negatives",
                                                          "tn": "true_negatives", "fp": "false_positives"}[kind])
        hits = math_ops.cast(math_ops.logical_and(*conditions[kind]), _dtypes.float32)
        if w is not None:
            hits = math_ops.multiply(hits, w)
        values[kind] = var.value()
        updates[kind] = assign_add(var, math_ops.reduce_sum(hits, 0))
    return values, updates


def _threshold_metric(labels, predictions, thresholds, weights, compute, metrics_collections,
                      updates_collections, name, default_name, includes=_KINDS, op_prefix=""):
    # In the metric's scope: the confusion counters at `thresholds`, then `compute(counts, op_name)`
    # once over their values ("<prefix>value") and once over their update ops ("<prefix>update_op").
    g = graph_of(predictions, labels)
    with _metric_scope(g, name, default_name):
        values, updates = _confusion_at_thresholds(labels, predictions, thresholds, weights, includes)
        return _collect(compute(values, f"{op_prefix}value"), compute(updates, f"{op_prefix}update_op"),
                        metrics_collections, updates_collections)


def _at_thresholds(default_name: str, kind: str):
    def fn(labels, predictions, thresholds, weights=None, metrics_collections=None, updates_collections=None,
           name=None):
        g = graph_of(predictions, labels)
        with _metric_scope(g, name, default_name):
            values, updates = _confusion_at_thresholds(labels, predictions, thresholds, weights, (kind,))
            return _collect(array_ops.identity(values[kind]), updates[kind], metrics_collections,
                            updates_collections)
    fn.__name__ = default_name
    return fn


true_positives_at_thresholds = _at_thresholds("true_positives", "tp")
false_positives_at_thresholds = _at_thresholds("false_positives", "fp")
true_negatives_at_thresholds = _at_thresholds("true_negatives", "tn")
false_negatives_at_thresholds = _at_thresholds("false_negatives", "fn")


def _tp_ratio_at_thresholds(metric: str, other: str, doc: str):
    # precision and recall at thresholds: tp / (epsilon + tp + other), summed in that order as TF does.
    def fn(labels, predictions, thresholds, weights=None, metrics_collections=None, updates_collections=None,
           name=None):
        epsilon = 1e-7

        def compute(v, op_name):
            return math_ops.div(v["tp"], math_ops.add(math_ops.add(epsilon, v["tp"]), v[other]), name=op_name)

        return _threshold_metric(labels, predictions, thresholds, weights, compute, metrics_collections,
                                 updates_collections, name, f"{metric}_at_thresholds", ("tp", other),
                                 op_prefix=f"{metric}_")
    fn.__name__ = f"{metric}_at_thresholds"
    fn.__doc__ = doc
    return fn


precision_at_thresholds = _tp_ratio_at_thresholds("precision", "fp",
                                                  "Precision at each threshold: tp / (tp + fp + 1e-7).")
recall_at_thresholds = _tp_ratio_at_thresholds("recall", "fn", "Recall at each threshold: tp / (tp + fn + 1e-7).")


def _rate(hits, misses, epsilon, name=None):
    # hits / (hits + misses + epsilon), elementwise.
    return math_ops.div(hits, math_ops.add(math_ops.add(hits, misses), epsilon), name=name)


def _check_unit_interval(arg_name: str, value) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"`{arg_name}` must be in the range [0, 1], got {value!r}.")


def _even_thresholds(num_thresholds: int, last: float) -> list:
    # -eps, the num_thresholds - 2 inner points i / (num_thresholds - 1), then `last`.
    epsilon = 1e-7
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - epsilon] + inner + [last]


def sensitivity_at_specificity(labels, predictions, specificity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """The sensitivity (recall) at the threshold whose specificity is nearest `specificity`.

    The confusion counts are kept at `num_thresholds` evenly spaced thresholds in [0, 1]; the
    first threshold (lowest index) with the smallest |specificity - target| is picked.

    Args:
        labels: ground truth, cast to bool.
        predictions: floats in [0, 1].
        specificity: the target specificity, in [0, 1].
        weights: optional per-prediction weights.
        num_thresholds: how many thresholds to keep counts at.
        metrics_collections: collections the value is added to.
        updates_collections: collections the update op is added to.
        name: the scope name (default `sensitivity_at_specificity`).

    Returns:
        `(sensitivity, update_op)`.

    Raises:
        ValueError: `specificity` outside [0, 1].
    """
    _check_unit_interval("specificity", specificity)
    epsilon = 1e-7
    thresholds = _even_thresholds(num_thresholds, 1.0 + epsilon)

    def compute(v, op_name):
        specificities = _rate(v["tn"], v["fp"], epsilon)
        index = math_ops.argmin(math_ops.abs(math_ops.subtract(specificities, specificity)), 0)
        index = math_ops.cast(index, _dtypes.int32)
        return _rate(v["tp"][index], v["fn"][index], epsilon, name=op_name)

    return _threshold_metric(labels, predictions, thresholds, weights, compute, metrics_collections,
                             updates_collections, name, "sensitivity_at_specificity")


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None, num_thresholds=200,
                               metrics_collections=None, updates_collections=None, name=None):
    """The specificity at the threshold whose sensitivity is nearest `sensitivity`.

    Unlike `sensitivity_at_specificity`, ties go to the LAST (highest) threshold index, and the
    last threshold is 1 - 1e-7, as in TensorFlow.

    Args:
        labels: ground truth, cast to bool.
        predictions: floats in [0, 1].
        sensitivity: the target sensitivity, in [0, 1].
        weights: optional per-prediction weights.
        num_thresholds: how many thresholds to keep counts at.
        metrics_collections: collections the value is added to.
        updates_collections: collections the update op is added to.
        name: the scope name (default `specificity_at_sensitivity`).

    Returns:
        `(specificity, update_op)`.

    Raises:
        ValueError: `sensitivity` outside [0, 1].
    """
    _check_unit_interval("sensitivity", sensitivity)
    epsilon = 1e-7
    thresholds = _even_thresholds(num_thresholds, 1.0 - epsilon)

    def compute(v, op_name):
        distance = math_ops.abs(math_ops.subtract(_rate(v["tp"], v["fn"], epsilon), sensitivity))
        at_min = math_ops.cast(math_ops.equal(distance, math_ops.reduce_min(distance)), _dtypes.int64)
        # argmax of the running count of minima: the last index where the minimum occurs.
        index = math_ops.cast(math_ops.argmax(math_ops.cumsum(at_min), 0), _dtypes.int32)
        return _rate(v["tn"][index], v["fp"][index], epsilon, name=op_name)

    return _threshold_metric(labels, predictions, thresholds, weights, compute, metrics_collections,
                             updates_collections, name, "specificity_at_sensitivity")


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal", thresholds=None):
    """Area under the ROC or PR curve by a Riemann sum over `num_thresholds` thresholds.

    Raises:
        ValueError: an unknown curve.
        NotImplementedError: summation methods other than trapezoidal, minoring and majoring.
    """
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "minoring", "majoring"):
        raise NotImplementedError(f"auc summation_method={summation_method!r} is not supported by ortflow yet")
    epsilon = 1.0e-7
    if thresholds is None:
        thresholds = _even_thresholds(num_thresholds, 1.0 + epsilon)
    else:
        thresholds = [0.0 - epsilon] + list(thresholds) + [1.0 + epsilon]
    n = len(thresholds)

    def compute(v, op_name):
        rec = math_ops.div(math_ops.add(v["tp"], epsilon), math_ops.add(math_ops.add(v["tp"], v["fn"]), epsilon))
        if curve == "ROC":
            x = math_ops.div(v["fp"], math_ops.add(math_ops.add(v["fp"], v["tn"]), epsilon))
            y = rec
        else:
            x = rec
            y = math_ops.div(math_ops.add(v["tp"], epsilon), math_ops.add(math_ops.add(v["tp"], v["fp"]), epsilon))
        dx = math_ops.subtract(x[:n - 1], x[1:])
        if summation_method == "trapezoidal":
            heights = math_ops.truediv(math_ops.add(y[:n - 1], y[1:]), 2.0)
        elif summation_method == "minoring":
            heights = math_ops.minimum(y[:n - 1], y[1:])
        else:
            heights = math_ops.maximum(y[:n - 1], y[1:])
        return math_ops.reduce_sum(math_ops.multiply(dx, heights), name=op_name)

    return _threshold_metric(labels, predictions, thresholds, weights, compute, metrics_collections,
                             updates_collections, name, "auc")


def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """Mean intersection-over-union over the classes present, from a running confusion matrix."""
    g = graph_of(predictions, labels)
    with _metric_scope(g, name, "mean_iou"):
        labels = array_ops.reshape(math_ops.cast(convert_to_tensor(labels), _dtypes.int32), [-1])
        predictions = array_ops.reshape(math_ops.cast(convert_to_tensor(predictions), _dtypes.int32), [-1])
        total_cm = metric_variable([num_classes, num_classes], _dtypes.float64, name="total_confusion_matrix")
        label_hot = array_ops.one_hot(labels, num_classes, dtype=_dtypes.float64)
        if weights is not None:
            w = math_ops.cast(array_ops.reshape(convert_to_tensor(weights), [-1, 1]), _dtypes.float64)
            label_hot = math_ops.multiply(label_hot, w)
        pred_hot = array_ops.one_hot(predictions, num_classes, dtype=_dtypes.float64)
        batch_cm = math_ops.matmul(label_hot, pred_hot, transpose_a=True)
        update_op = assign_add(total_cm, batch_cm)

        def compute(cm):
            cm = math_ops.cast(cm, _dtypes.float32)
            sum_over_row = math_ops.reduce_sum(cm, 0)
            sum_over_col = math_ops.reduce_sum(cm, 1)
            # The diagonal as a masked row sum: DiagPart has no ONNX lowering.
            diag = math_ops.reduce_sum(math_ops.multiply(cm, constant(np.eye(num_classes, dtype=np.float32))), 1)
            denominator = math_ops.subtract(math_ops.add(sum_over_row, sum_over_col), diag)
            num_valid = math_ops.reduce_sum(math_ops.cast(math_ops.not_equal(denominator, 0), _dtypes.float32))
            denominator = array_ops.where(math_ops.greater(denominator, 0), denominator,
                                          array_ops.ones_like(denominator))
            iou = math_ops.div(diag, denominator)
            return array_ops.where(math_ops.greater(num_valid, 0),
                                   math_ops.div(math_ops.reduce_sum(iou, name="mean_iou"), num_valid),
                                   0.0 * num_valid)

        # As in TF, update_op is the updated confusion matrix itself (float64), not a mean IoU.
        return _collect(compute(total_cm.value()), update_op, metrics_collections, updates_collections)


from ortflow.api.metrics_per_class import mean_per_class_accuracy, precision_at_k, recall_at_k  # noqa: E402

__all__ += ["mean_per_class_accuracy", "precision_at_k", "recall_at_k"]
