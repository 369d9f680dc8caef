"""Hand-built GraphDefs for the handlers of converters/signal_more.py (IRFFT), nn_more.py
(MaxPoolWithArgmax, Dilation2D) and tables.py (constant tables as LabelEncoder).

Same scheme as test_handlers_small.py: a tiny GraphDef, converted, run in onnxruntime and
compared with numpy. The coverage meta-test (test_handler_coverage.py) reads `CASES` here too.
"""

from __future__ import annotations

import numpy as np
import pytest
from handler_cases import case_params, case_table, check_case, small_module
from ortflow.formats import dtypes


_small = small_module()
Case, op, placeholder, const, run, compare = (_small.Case, _small.op, _small.placeholder, _small.const,
                                             _small.run, _small._compare)
F32, C64, I32, I64, STR = dtypes.float32, dtypes.complex64, dtypes.int32, dtypes.int64, dtypes.string
RNG = np.random.RandomState(4)

CASES, case = case_table()


@case
def irfft():
    # Equal, longer and shorter transforms than the spectrum holds (TF pads or crops the bins),
    # odd and even lengths.
    x = RNG.normal(size=(3, 10)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 10]), const("n10", np.array([10], np.int32)),
             const("n16", np.array([16], np.int32)), const("n7", np.array([7], np.int32)),
             op("spectrum", "RFFT", ["x", "n10"], Treal=F32, Tcomplex=C64),
             op("same", "IRFFT", ["spectrum", "n10"], Treal=F32, Tcomplex=C64),
             op("longer", "IRFFT", ["spectrum", "n16"], Treal=F32, Tcomplex=C64),
             op("shorter", "IRFFT", ["spectrum", "n7"], Treal=F32, Tcomplex=C64)]

    def expected(f):
        s = np.fft.rfft(f["x:0"].astype(np.float64))
        return [f["x:0"], np.fft.irfft(np.pad(s, [(0, 0), (0, 3)]), 16), np.fft.irfft(s[:, :4], 7)]
    return Case(nodes, {"x:0": x}, ["same:0", "longer:0", "shorter:0"], expected, atol=1e-4)


def _argmax_pool(x, k, s, padding, with_batch):
    # A direct loop: the first maximum of each window in scan order, TF's flat NHWC index.
    n, h, w, c = x.shape
    if padding == "SAME":
        oh, ow = -(-h // s[0]), -(-w // s[1])
        top = max((oh - 1) * s[0] + k[0] - h, 0) // 2
        left = max((ow - 1) * s[1] + k[1] - w, 0) // 2
    else:
        oh, ow, top, left = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1, 0, 0
    best = np.full((n, oh, ow, c), -np.inf, np.float32)
    index = np.zeros((n, oh, ow, c), np.int64)
    for b, i, j, ch in np.ndindex(n, oh, ow, c):
        for dy, dx in np.ndindex(*k):
            y, xx = i * s[0] + dy - top, j * s[1] + dx - left
            if 0 <= y < h and 0 <= xx < w and x[b, y, xx, ch] > best[b, i, j, ch]:
                best[b, i, j, ch] = x[b, y, xx, ch]
                index[b, i, j, ch] = ((b * h + y) * w + xx) * c + ch if with_batch else (y * w + xx) * c + ch
    return best, index


@case
def max_pool_with_argmax():
    # Ties (a ReLU's zeros), SAME and VALID, the batch term, and int32 indices.
    x = np.maximum(RNG.normal(size=(2, 5, 7, 3)), 0).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 5, 7, 3]),
             op("same", "MaxPoolWithArgmax", ["x"], T=F32, Targmax=I64, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1],
                padding="SAME", include_batch_in_index=False),
             op("valid", "MaxPoolWithArgmax", ["x"], T=F32, Targmax=I32, ksize=[1, 2, 3, 1], strides=[1, 1, 2, 1],
                padding="VALID", include_batch_in_index=True)]

    def expected(f):
        same = _argmax_pool(f["x:0"], (3, 3), (2, 2), "SAME", False)
        valid = _argmax_pool(f["x:0"], (2, 3), (1, 2), "VALID", True)
        return [same[0], same[1], valid[0], valid[1].astype(np.int32)]
    return Case(nodes, {"x:0": x}, ["same:0", "same:1", "valid:0", "valid:1"], expected)


def _dilation(x, f, s, r, padding):
    n, h, w, c = x.shape
    kh, kw, _ = f.shape
    sizes = []
    for size, k, stride, rate in ((h, kh, s[0], r[0]), (w, kw, s[1], r[1])):
        eff = (k - 1) * rate + 1
        out = -(-size // stride) if padding == "SAME" else -(-(size - eff + 1) // stride)
        sizes.append((out, max((out - 1) * stride + eff - size, 0) // 2 if padding == "SAME" else 0))
    (oh, top), (ow, left) = sizes
    out = np.full((n, oh, ow, c), -np.inf, np.float32)
    for i, j, dy, dx in np.ndindex(oh, ow, kh, kw):
        y, xx = i * s[0] + dy * r[0] - top, j * s[1] + dx * r[1] - left
        if 0 <= y < h and 0 <= xx < w:
            out[:, i, j] = np.maximum(out[:, i, j], x[:, y, xx] + f[dy, dx])
    return out


@case
def dilation2d():
    x = RNG.normal(size=(2, 6, 7, 2)).astype(np.float32)
    f = RNG.normal(size=(3, 2, 2)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 6, 7, 2]), const("f", f),
             op("same", "Dilation2D", ["x", "f"], T=F32, strides=[1, 2, 1, 1], rates=[1, 1, 2, 1], padding="SAME"),
             op("valid", "Dilation2D", ["x", "f"], T=F32, strides=[1, 1, 2, 1], rates=[1, 2, 1, 1], padding="VALID")]
    return Case(nodes, {"x:0": x}, ["same:0", "valid:0"],
                lambda feeds: [_dilation(feeds["x:0"], f, (2, 1), (1, 2), "SAME"),
                               _dilation(feeds["x:0"], f, (1, 2), (2, 1), "VALID")])


@case
def constant_tables():
    # Frozen tables: string -> int64, int64 -> string and string -> float32 finds fold into
    # _OrtflowStaticLookup (ONNX LabelEncoder); sizes into plain ops.
    def table(name, keys, values, key_dtype, value_dtype):
        return [op(name, "HashTableV2", key_dtype=key_dtype, value_dtype=value_dtype, shared_name=name.encode(),
                   container=b"", use_node_name_sharing=False),
                const(f"{name}/keys", keys), const(f"{name}/values", values),
                op(f"{name}/init", "LookupTableImportV2", [name, f"{name}/keys", f"{name}/values"], Tin=key_dtype,
                   Tout=value_dtype)]

    words = np.array([b"cat", b"dog", b"emu"], dtype=object)
    nodes = [placeholder("x", STR, [None, 2]), placeholder("n", I64, [None]),
             *table("ids", words, np.array([3, 1, 4], np.int64), STR, I64),
             *table("names", np.array([3, 1, 4], np.int64), words, I64, STR),
             *table("scores", words, np.array([0.5, 1.5, 2.5], np.float32), STR, F32),
             const("minus_one", np.int64(-1)), const("unknown", np.array(b"?", dtype=object)),
             const("zero", np.float32(0.0)),
             op("found", "LookupTableFindV2", ["ids", "x", "minus_one"], Tin=STR, Tout=I64),
             op("named", "LookupTableFindV2", ["names", "n", "unknown"], Tin=I64, Tout=STR),
             op("scored", "LookupTableFindV2", ["scores", "x", "zero"], Tin=STR, Tout=F32),
             op("size", "LookupTableSizeV2", ["ids"])]
    x = np.array([["dog", "yak"], ["emu", "cat"]], dtype=object)  # onnxruntime takes str elements

    def expected(f):
        return [np.array([[1, -1], [4, 3]], np.int64), np.array(["dog", "cat", "?"], dtype=object),
                np.array([[1.5, 0.0], [2.5, 0.5]], np.float32), np.int64(3)]
    return Case(nodes, {"x:0": x, "n:0": np.array([1, 3, 9], np.int64)},
                ["found:0", "named:0", "scored:0", "size:0"], expected)


@pytest.mark.parametrize(("name", "opset"), case_params(CASES))
def test_inference_ops_case(name, opset):
    check_case(CASES, name, opset)
