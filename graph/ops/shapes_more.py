"""Shape functions of the ops `kernels_more` runs: real FFTs, morphology, boxes, tables, hashing."""

from __future__ import annotations

from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.shapes_common import attr, int_list, same_as

__all__: list[str] = []

shape_fn("DrawBoundingBoxes", "DrawBoundingBoxesV2", "StringToHashBucketFast", "Betainc",
         "_OrtflowStaticLookup")(same_as(0))
# A lookup gives one value per key (scalar values: ortflow's tables hold 1-D keys and values).
shape_fn("LookupTableFindV2", "LookupTableFind")(same_as(1))


@shape_fn("LookupTableSizeV2", "LookupTableSize", "HashTableV2", "HashTable")
def _scalar(node_def, shapes, values):
    return [()]


@shape_fn("LookupTableExportV2", "LookupTableExport")
def _export(node_def, shapes, values):
    return [(None,), (None,)]


@shape_fn("SampleDistortedBoundingBoxV2", "SampleDistortedBoundingBox")
def _sample_box(node_def, shapes, values):
    return [(3,), (3,), (1, 1, 4)]


def _real_fft(rank: int, inverse: bool):
    # The innermost `rank` dims become fft_length (the forward: fft_length // 2 + 1 innermost).
    def fn(node_def, shapes, values):
        shape = shapes[0]
        if shape is None:
            return [None]
        lengths = int_list(values[1])
        if lengths is None:
            return [tuple(shape[:-rank]) + (None,) * rank]
        lengths = list(lengths)
        if not inverse:
            lengths[-1] = lengths[-1] // 2 + 1
        return [tuple(shape[:-rank]) + tuple(lengths)]
    return fn


for _ops, _rank in ((("RFFT", "IRFFT"), 1), (("RFFT2D", "IRFFT2D"), 2), (("RFFT3D", "IRFFT3D"), 3)):
    shape_fn(_ops[0])(_real_fft(_rank, False))
    shape_fn(_ops[1])(_real_fft(_rank, True))


def _out_size(size, window: int, stride: int, rate: int, padding: str):
    if size is None:
        return None
    effective = (window - 1) * rate + 1
    if padding == "VALID":
        return max(-(-(size - effective + 1) // stride), 0)
    return -(-size // stride)


@shape_fn("Dilation2D")
def _dilation2d(node_def, shapes, values):
    x, f = shapes[0], shapes[1]
    if x is None:
        return [None]
    strides, rates = attr(node_def, "strides"), attr(node_def, "rates")
    padding = attr(node_def, "padding")
    padding = padding.decode() if isinstance(padding, bytes) else padding
    if f is None or f[0] is None or f[1] is None:
        return [(x[0], None, None, x[3])]
    return [(x[0], _out_size(x[1], f[0], strides[1], rates[1], padding),
             _out_size(x[2], f[1], strides[2], rates[2], padding), x[3])]
