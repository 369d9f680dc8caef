"""Shape functions of the less common ops `import ortflow as tf` builds: linalg, search, strings, images."""

from __future__ import annotations

from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.shapes_common import (
    attr,
    broadcast,
    int_list,
    int_value,
    same_as,
    with_rank,
)

__all__: list[str] = []

shape_fn("LowerBound", "UpperBound")(same_as(1))
shape_fn("ScatterNdMax", "ScatterNdMin", "EncodeBase64", "DecodeBase64")(same_as(0))
shape_fn("AsString", "StringToNumber", "StringLength", "Substr", "Cross", "RegexReplace", "RegexFullMatch")(same_as(0))


def _batch(shape, inner: int):
    # The leading (batch) dims of a stack of matrices (inner = 2) or vectors (inner = 1).
    return None if shape is None else tuple(shape[:-inner])


@shape_fn("LinSpace")
def _lin_space(node_def, shapes, values):
    return [(int_value(values[2]),)]


@shape_fn("HistogramFixedWidth")
def _histogram_fixed_width(node_def, shapes, values):
    return [(int_value(values[2]),)]


@shape_fn("NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3")
def _non_max_suppression(node_def, shapes, values):
    return [(None,)]


@shape_fn("MatrixDeterminant")
def _determinant(node_def, shapes, values):
    return [_batch(shapes[0], 2)]


@shape_fn("LogMatrixDeterminant")
def _log_determinant(node_def, shapes, values):
    batch = _batch(shapes[0], 2)
    return [batch, batch]


@shape_fn("MatrixSolve", "MatrixTriangularSolve")
def _solve(node_def, shapes, values):
    matrix, rhs = shapes
    if matrix is None or rhs is None:
        return [None if rhs is None else (None,) * len(rhs)]
    batch = broadcast(tuple(matrix[:-2]), tuple(rhs[:-2]))
    return [None if batch is None else tuple(batch) + (matrix[-1], rhs[-1])]


@shape_fn("SelfAdjointEigV2")
def _eig(node_def, shapes, values):
    x = shapes[0]
    if x is None:
        return [None, None]
    if not attr(node_def, "compute_v", True):
        return [tuple(x[:-1]), (0,)]
    return [tuple(x[:-1]), tuple(x)]


@shape_fn("Svd")
def _svd(node_def, shapes, values):
    x = shapes[0]
    if x is None:
        return [None, None, None]
    m, n = x[-2], x[-1]
    p = None if m is None or n is None else min(m, n)
    batch = tuple(x[:-2])
    if not attr(node_def, "compute_uv", True):
        return [batch + (p,), (0,), (0,)]
    full = attr(node_def, "full_matrices", False)
    return [batch + (p,), batch + (m, m if full else p), batch + (n, n if full else p)]


@shape_fn("Diag")
def _diag(node_def, shapes, values):
    x = shapes[0]
    return [None if x is None else tuple(x) + tuple(x)]


@shape_fn("DiagPart")
def _diag_part(node_def, shapes, values):
    x = shapes[0]
    return [None if x is None else tuple(x[:len(x) // 2])]


@shape_fn("MatrixDiagV2", "MatrixDiagV3")
def _matrix_diag_v3(node_def, shapes, values):
    # Only the main diagonal (k = 0) and default sizes are worked out; other bands are unknown.
    x = shapes[0]
    k, rows, cols = int_list(values[1]), int_value(values[2]), int_value(values[3])
    if x is None or k != [0]:
        return [None]
    n = x[-1]
    rows = n if rows in (None, -1) else rows
    cols = n if cols in (None, -1) else cols
    return [tuple(x[:-1]) + (rows, cols)]


@shape_fn("MatrixDiagPartV2", "MatrixDiagPartV3")
def _matrix_diag_part_v3(node_def, shapes, values):
    x = shapes[0]
    if x is None or int_list(values[1]) != [0]:
        return [None]
    a, b = x[-2], x[-1]
    return [tuple(x[:-2]) + (None if a is None or b is None else min(a, b),)]


@shape_fn("ExtractImagePatches")
def _extract_image_patches(node_def, shapes, values):
    x = with_rank(shapes[0], 4, "images")
    _, kh, kw, _ = attr(node_def, "ksizes")
    _, sh, sw, _ = attr(node_def, "strides")
    _, rh, rw, _ = attr(node_def, "rates")
    padding = attr(node_def, "padding")
    out = [x[0]]
    for size, k, s, r in ((x[1], kh, sh, rh), (x[2], kw, sw, rw)):
        eff = (k - 1) * r + 1
        if size is None:
            out.append(None)
        elif padding in (b"SAME", "SAME"):
            out.append(-(-size // s))
        else:
            out.append(max(0, (size - eff) // s + 1))
    out.append(None if x[3] is None else kh * kw * x[3])
    return [tuple(out)]


@shape_fn("DecodeRaw")
def _decode_raw(node_def, shapes, values):
    x = shapes[0]
    return [None if x is None else tuple(x) + (None,)]


@shape_fn("ReduceJoin")
def _reduce_join(node_def, shapes, values):
    x, axes = shapes[0], int_list(values[1])
    if x is None or axes is None:
        return [None]
    axes = {a % len(x) for a in axes} if x else set()
    if attr(node_def, "keep_dims", False):
        return [tuple(1 if i in axes else d for i, d in enumerate(x))]
    return [tuple(d for i, d in enumerate(x) if i not in axes)]


@shape_fn("ListDiff")
def _list_diff(node_def, shapes, values):
    return [(None,), (None,)]


@shape_fn("UnravelIndex")
def _unravel_index(node_def, shapes, values):
    indices, dims = shapes
    count = None if dims is None or not dims else dims[0]
    return [None if indices is None else (count,) + tuple(indices)]


@shape_fn("NonMaxSuppressionV4", "NonMaxSuppressionV5")
def _non_max_suppression_padded(node_def, shapes, values):
    size = int_value(values[2]) if attr(node_def, "pad_to_max_output_size", False) else None
    if node_def.op == "NonMaxSuppressionV4":
        return [(size,), ()]
    return [(size,), (size,), ()]


@shape_fn("CombinedNonMaxSuppression")
def _combined_non_max_suppression(node_def, shapes, values):
    batch = None if shapes[0] is None or len(shapes[0]) != 4 else shapes[0][0]
    total = int_value(values[3])
    if attr(node_def, "pad_per_class", False):
        per_class = int_value(values[2])
        classes = None if shapes[1] is None or len(shapes[1]) != 3 else shapes[1][2]
        total = None if None in (total, per_class, classes) else min(total, per_class * classes)
    return [(batch, total, 4), (batch, total), (batch, total), (batch,)]


@shape_fn("DenseBincount")
def _dense_bincount(node_def, shapes, values):
    # one count vector per row: [size] for a vector input, [batch, size] for a matrix
    size = int_value(values[1])
    if shapes[0] is not None and len(shapes[0]) == 2:
        return [(shapes[0][0], size)]
    return [(size,)]
