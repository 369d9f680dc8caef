"""Handlers of TF's fused loss ops (softmax cross entropy, dense and sparse labels)."""

from __future__ import annotations

from ortflow.converters.emit import const_i64, first, reduce, shape_of, to_int64, unsqueeze
from ortflow.converters.registry import handler
from ortflow.formats import dtypes

__all__: list[str] = []


def _cross_entropy(ctx, node, log_probs: str, weights: str) -> None:
    # loss = -sum(weights * log_probs, last axis), as TF computes both ops' first output.
    weighted = first(ctx, "Mul", [weights, log_probs])
    total = reduce(ctx, "ReduceSum", weighted, [-1], keepdims=False)
    first(ctx, "Neg", [total], output=node.output(0))


@handler("SoftmaxCrossEntropyWithLogits", since=13)
def convert_softmax_cross_entropy(ctx, node):
    # TF:   loss, backprop = SoftmaxCrossEntropyWithLogits(features, labels)  ([B, C] each)
    # ONNX: Loss = Neg(ReduceSum(Mul(Labels, LogSoftmax(Features)), [-1]));
    #       Backprop = Sub(Softmax(Features), Labels)
    features, labels = node.input(0), node.input(1)
    log_probs = first(ctx, "LogSoftmax", [features], {"axis": -1})
    _cross_entropy(ctx, node, log_probs, labels)
    probs = first(ctx, "Softmax", [features], {"axis": -1})
    first(ctx, "Sub", [probs, labels], output=node.output(1))


@handler("SparseSoftmaxCrossEntropyWithLogits", since=13)
def convert_sparse_softmax_cross_entropy(ctx, node):
    # TF:   loss, backprop = SparseSoftmaxCrossEntropyWithLogits(features [B, C], labels [B])
    # ONNX: Hot = Cast(Equal(Unsqueeze(Labels, -1), Range(0, C)), T);
    #       Loss = Neg(ReduceSum(Mul(Hot, LogSoftmax(Features)), [-1]));
    #       Backprop = Sub(Softmax(Features), Hot)
    features = node.input(0)
    dtype = node.input_dtype(0) or dtypes.float32
    labels = unsqueeze(ctx, to_int64(ctx, node.input(1)), [-1])
    classes = first(ctx, "Gather", [shape_of(ctx, features), const_i64(ctx, -1)], {"axis": 0})
    positions = first(ctx, "Range", [const_i64(ctx, 0), classes, const_i64(ctx, 1)])
    hot = first(ctx, "Cast", [first(ctx, "Equal", [labels, positions])], {"to": ctx.onnx_type(dtype)})
    log_probs = first(ctx, "LogSoftmax", [features], {"axis": -1})
    _cross_entropy(ctx, node, log_probs, hot)
    probs = first(ctx, "Softmax", [features], {"axis": -1})
    first(ctx, "Sub", [probs, hot], output=node.output(1))
