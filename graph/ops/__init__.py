"""ortflow's op registry: TensorFlow's OpDefs plus shape functions and numpy kernels per op type.

Everything in ortflow that needs a fact about an op asks here: how many outputs a node has and
their dtypes (`num_outputs`, `output_dtypes`), attr defaults (`fill_defaults`), static shapes
(`infer_shapes`, `infer_graph_def`) and constant values (`evaluate`). The OpDefs are TensorFlow's
own, stored in `op_defs.pb` and parsed on first use.
"""

from __future__ import annotations

# The op families register their shape functions and kernels on import.
from ortflow.graph.ops import (  # noqa: F401  (imported for their registrations)
    kernels_array,
    kernels_ctc,
    kernels_extra,
    kernels_image_io,
    kernels_math,
    kernels_matrix_funcs,
    kernels_parsing,
    kernels_ragged_unicode,
    kernels_resize,
    kernels_sequence_example,
    kernels_sparse,
    kernels_sparse_more,
    kernels_more,
    kernels_sets_random,
    kernels_special,
    kernels_stateless,
    kernels_summary,
    shapes_array,
    shapes_control,
    shapes_extra,
    shapes_math,
    shapes_more,
    shapes_nn,
    shapes_state,
)
from ortflow.graph.ops.build import make_attr_value, make_node_def
from ortflow.graph.ops.infer import TensorMeta, infer_graph_def, tensor_key, topological_order
from ortflow.graph.ops.registry import (
    evaluate,
    has_kernel,
    has_shape_fn,
    infer_shapes,
    kernel,
    shape_fn,
)
from ortflow.graph.ops.schema import (
    Shape,
    as_numpy_dtype,
    decode_attr,
    fill_defaults,
    get_attr,
    get_op_def,
    input_arg_layout,
    input_dtypes,
    is_known,
    is_stateful,
    num_inputs,
    num_outputs,
    op_types,
    output_dtypes,
    shape_from_proto,
    signature_output_dtypes,
)
from ortflow.graph.ops.shapes_common import broadcast as broadcast_shapes
from ortflow.graph.ops.shapes_nn import conv_output_size
from ortflow.graph.ops.strided import sliced_shape, strided_slice_spec, strided_slice_spec_from_node

__all__ = [
    "Shape",
    "TensorMeta",
    "as_numpy_dtype",
    "broadcast_shapes",
    "conv_output_size",
    "decode_attr",
    "evaluate",
    "fill_defaults",
    "get_attr",
    "get_op_def",
    "has_kernel",
    "has_shape_fn",
    "infer_graph_def",
    "infer_shapes",
    "input_arg_layout",
    "input_dtypes",
    "is_known",
    "is_stateful",
    "kernel",
    "make_attr_value",
    "make_node_def",
    "num_inputs",
    "num_outputs",
    "op_types",
    "output_dtypes",
    "shape_fn",
    "shape_from_proto",
    "signature_output_dtypes",
    "sliced_shape",
    "strided_slice_spec",
    "strided_slice_spec_from_node",
    "tensor_key",
    "topological_order",
]
