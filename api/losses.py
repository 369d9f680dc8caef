"""`tf.losses` (TF 1.x): per-example losses reduced by `compute_weighted_loss`, and the LOSSES collection.

Values equal TensorFlow's; the node structure is simpler than TF's (no broadcastability
asserts), and the final tensor of each loss is named `<scope>/value` as in TF.
"""

from __future__ import annotations

from ortflow.api import array_ops, math_ops, nn
from ortflow.api.ops_builder import apply_op_output, convert_to_tensor, graph_of
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, get_default_graph

__all__ = [
    "Reduction",
    "absolute_difference",
    "add_loss",
    "compute_weighted_loss",
    "cosine_distance",
    "get_losses",
    "get_regularization_loss",
    "get_regularization_losses",
    "get_total_loss",
    "hinge_loss",
    "huber_loss",
    "log_loss",
    "mean_pairwise_squared_error",
    "mean_squared_error",
    "sigmoid_cross_entropy",
    "softmax_cross_entropy",
    "sparse_softmax_cross_entropy",
]


class Reduction:
    """How `compute_weighted_loss` reduces the weighted losses."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE, cls.SUM_OVER_NONZERO_WEIGHTS,
                cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}.")


def _num_present(losses, weights):
    # The number of loss elements whose (broadcast) weight is not zero.
    present = array_ops.where(math_ops.equal(weights, 0.0), array_ops.zeros_like(weights),
                              array_ops.ones_like(weights))
    present = math_ops.multiply(present, array_ops.ones_like(losses))
    return math_ops.reduce_sum(present, name="num_present")


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Weights the losses and reduces them; adds the result to `loss_collection`.

    Raises:
        ValueError: an unknown reduction.
    """
    Reduction.validate(reduction)
    g = graph_of(losses, weights)
    with g.as_default(), g.name_scope(scope or "weighted_loss"):
        losses = convert_to_tensor(losses)
        input_dtype = losses.dtype.base_dtype
        losses = math_ops.cast(losses, _dtypes.float32)
        weights = math_ops.cast(convert_to_tensor(weights), _dtypes.float32)
        weighted = math_ops.multiply(losses, weights)
        if reduction == Reduction.NONE:
            loss = weighted
        else:
            total = math_ops.reduce_sum(weighted)
            if reduction == Reduction.MEAN:
                denominator = math_ops.reduce_sum(math_ops.multiply(array_ops.ones_like(losses), weights))
                loss = apply_op_output("DivNoNan", [total, denominator], name="value")
            elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                loss = apply_op_output("DivNoNan", [total, _num_present(losses, weights)], name="value")
            elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                count = math_ops.cast(array_ops.size(losses), _dtypes.float32)
                loss = apply_op_output("DivNoNan", [total, count], name="value")
            else:
                loss = total  # Reduction.SUM: TF returns the Sum itself (named `.../Sum`)
        loss = math_ops.cast(loss, input_dtype)
    if loss_collection:
        g.add_to_collection(loss_collection, loss)
    return loss


def _loss(default_name, build):
    def fn(labels, predictions, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
           reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, **kwargs):
        if labels is None:
            raise ValueError("Argument `labels` must not be None.")
        if predictions is None:
            raise ValueError("Argument `predictions` must not be None.")
        g = graph_of(predictions, labels)
        with g.as_default(), g.name_scope(scope or default_name) as s:
            predictions = math_ops.cast(convert_to_tensor(predictions), _dtypes.float32)
            labels = math_ops.cast(convert_to_tensor(labels), _dtypes.float32)
            losses = build(labels, predictions, **kwargs)
            return compute_weighted_loss(losses, weights, s, loss_collection, reduction)
    fn.__name__ = default_name
    fn.__doc__ = f"`tf.losses.{default_name}`."
    return fn


absolute_difference = _loss("absolute_difference", lambda l, p: math_ops.abs(math_ops.subtract(p, l)))
mean_squared_error = _loss("mean_squared_error", lambda l, p: math_ops.squared_difference(p, l))


def _huber(labels, predictions, delta=1.0):
    error = math_ops.subtract(predictions, labels)
    abs_error = math_ops.abs(error)
    quadratic = math_ops.minimum(abs_error, delta)
    linear = math_ops.subtract(abs_error, quadratic)
    return math_ops.add(math_ops.multiply(0.5, math_ops.multiply(quadratic, quadratic)),
                        math_ops.multiply(delta, linear))


huber_loss = _loss("huber_loss", _huber)


def _log(labels, predictions, epsilon=1e-7):
    return math_ops.subtract(
        math_ops.negative(math_ops.multiply(labels, math_ops.log(math_ops.add(predictions, epsilon)))),
        math_ops.multiply(math_ops.subtract(1.0, labels),
                          math_ops.log(math_ops.add(math_ops.subtract(1.0, predictions), epsilon))))


log_loss = _loss("log_loss", _log)


def _hinge(labels, logits):
    signs = math_ops.subtract(math_ops.multiply(2.0, labels), 1.0)
    return nn.relu(math_ops.subtract(1.0, math_ops.multiply(signs, logits)))


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Hinge loss of {0, 1} labels against logits."""
    return _loss("hinge_loss", _hinge)(labels, logits, weights, scope, loss_collection, reduction)


def _cosine(labels, predictions, axis=None):
    return math_ops.subtract(1.0, math_ops.reduce_sum(math_ops.multiply(predictions, labels), axis,
                                                      keepdims=True))


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions, axis) of unit-normalized inputs."""
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("You must specify argument `axis`.")
    return _loss("cosine_distance_loss", _cosine)(labels, predictions, weights, scope, loss_collection,
                                                  reduction, axis=axis)


def _per_sample_axes(x):
    # Axes 1..rank-1: a constant list when the rank is known, a Range node otherwise.
    rank = x.shape.rank
    if rank is not None:
        return list(range(1, rank))
    return array_ops.range(1, array_ops.rank(x))


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """Mean over pairs (i, j) within each sample of ((p_i - l_i) - (p_j - l_j))^2, weighted per sample.

    Per sample with n present elements and d = predictions - labels, the mean over the
    n * (n - 1) ordered pairs equals 2 * sum(d^2) / (n - 1) - 2 * sum(d)^2 / (n * (n - 1)); the
    weighted per-sample values are summed (not averaged) over the batch, as TensorFlow does.

    Args:
        labels: ground truth, the shape of `predictions`.
        predictions: `[batch_size, d0, ..., dN]` predicted values.
        weights: a scalar, a `[batch_size, 1, ...]` tensor, or one of the predictions' shape.
        scope: name scope of the ops (default `mean_pairwise_squared_error`).
        loss_collection: the collection the loss is added to.

    Returns:
        The scalar float32 loss, named `<scope>/value`.

    Raises:
        ValueError: `labels` or `predictions` is None.
    """
    if labels is None:
        raise ValueError("Argument `labels` must not be None.")
    if predictions is None:
        raise ValueError("Argument `predictions` must not be None.")
    g = graph_of(predictions, labels, weights)
    with g.as_default(), g.name_scope(scope or "mean_pairwise_squared_error"):
        weights = math_ops.cast(convert_to_tensor(weights), _dtypes.float32)
        labels = math_ops.cast(convert_to_tensor(labels), _dtypes.float32)
        predictions = math_ops.cast(convert_to_tensor(predictions), _dtypes.float32)
        diffs = math_ops.subtract(predictions, labels)
        axes = _per_sample_axes(diffs)
        sum_squares = math_ops.reduce_sum(math_ops.square(diffs), axes, keepdims=True)
        with g.name_scope("num_present"):
            present = array_ops.where(math_ops.equal(weights, 0.0), array_ops.zeros_like(weights),
                                      array_ops.ones_like(weights))
            present = math_ops.multiply(present, array_ops.ones_like(diffs))
            num_present = math_ops.reduce_sum(present, _per_sample_axes(present), keepdims=True)
        n_minus_1 = math_ops.subtract(num_present, 1.0)
        term1 = math_ops.multiply(2.0, apply_op_output(
            "DivNoNan", [sum_squares, math_ops.maximum(n_minus_1, 0.0)], name="value"))
        sum_diff = math_ops.reduce_sum(diffs, axes, keepdims=True)
        term2 = math_ops.multiply(2.0, apply_op_output(
            "DivNoNan", [math_ops.square(sum_diff),
                         math_ops.maximum(math_ops.multiply(num_present, n_minus_1), 0.0)], name="value"))
        loss = math_ops.reduce_sum(math_ops.multiply(math_ops.subtract(term1, term2), weights))
        any_present = math_ops.greater(math_ops.reduce_sum(num_present), 0.0)
        mean_loss = array_ops.where(any_present, loss, array_ops.zeros_like(loss), name="value")
    if loss_collection:
        g.add_to_collection(loss_collection, mean_loss)
    return mean_loss


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Sigmoid cross entropy of (optionally smoothed) 0/1 labels."""
    g = graph_of(logits, multi_class_labels)
    with g.as_default(), g.name_scope(scope or "sigmoid_cross_entropy_loss") as s:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(convert_to_tensor(multi_class_labels), logits.dtype.base_dtype)
        if label_smoothing > 0:
            labels = math_ops.add(math_ops.multiply(labels, 1 - label_smoothing), 0.5 * label_smoothing)
        losses = nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross entropy of (optionally smoothed) one-hot labels."""
    g = graph_of(logits, onehot_labels)
    with g.as_default(), g.name_scope(scope or "softmax_cross_entropy_loss") as s:
        logits = convert_to_tensor(logits)
        labels = math_ops.cast(convert_to_tensor(onehot_labels), logits.dtype.base_dtype)
        if label_smoothing > 0:
            num_classes = math_ops.cast(array_ops.shape(labels)[-1], labels.dtype.base_dtype)
            labels = math_ops.add(math_ops.multiply(labels, 1 - label_smoothing),
                                  math_ops.truediv(label_smoothing, num_classes))
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
        losses = nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """Softmax cross entropy of integer class labels."""
    g = graph_of(logits, labels)
    with g.as_default(), g.name_scope(scope or "sparse_softmax_cross_entropy_loss") as s:
        losses = nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
        return compute_weighted_loss(losses, weights, s, loss_collection, reduction)


def add_loss(loss, loss_collection=GraphKeys.LOSSES) -> None:
    """Adds an externally computed loss to `loss_collection`."""
    if loss_collection:
        get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope=None, loss_collection=GraphKeys.LOSSES) -> list:
    return get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope=None) -> list:
    return get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the regularization losses (a 0.0 constant when there are none)."""
    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    from ortflow.api.ops_builder import constant

    return constant(0.0)


def get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the LOSSES collection (plus regularization losses).

    Raises:
        ValueError: there are no losses.
    """
    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses found in the collections.")
    return math_ops.add_n(losses, name=name)
