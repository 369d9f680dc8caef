"""TensorFlow-compatible protobuf messages, declared under ortflow's own proto package.

The wire bytes and text format equal TensorFlow's (same field names and numbers); the package
is `ortflow.tf` so that ortflow and TensorFlow can share one process without their descriptor
pools colliding. Regenerate the `*_pb2.py` modules with `python tools/gen_protos.py`.
"""

from __future__ import annotations

from ortflow.proto.checkpoint_pb2 import (
    BundleEntryProto,
    BundleHeaderProto,
    CheckpointState,
    TensorSliceProto,
    TrackableObjectGraph,
)
from ortflow.proto.event_pb2 import (
    Event,
    HistogramProto,
    LogMessage,
    SessionLog,
    Summary,
    SummaryMetadata,
    TaggedRunMetadata,
)
from ortflow.proto.example_pb2 import (
    BytesList,
    Example,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
    SequenceExample,
)
from ortflow.proto.graph_pb2 import (
    AttrValue,
    FullTypeDef,
    FunctionDef,
    FunctionDefLibrary,
    GradientDef,
    GraphDebugInfo,
    GraphDef,
    NameAttrList,
    NodeDef,
    OpDef,
    OpList,
    VersionDef,
)
from ortflow.proto.meta_graph_pb2 import (
    AssetFileDef,
    CollectionDef,
    MetaGraphDef,
    SavedModel,
    SaverDef,
    SaveSliceInfoDef,
    SignatureDef,
    TensorInfo,
    VariableDef,
)
from ortflow.proto.tensor_pb2 import (
    ResourceHandleProto,
    TensorProto,
    TensorShapeProto,
    VariantTensorDataProto,
)
from ortflow.proto.types_pb2 import DataType

#: TensorFlow's proto package; full names in data (Any type URLs) use it, not ours.
TF_PACKAGE = "tensorflow"
#: Our proto package, which the generated descriptors declare.
OUR_PACKAGE = "ortflow.tf"

__all__ = [
    "AssetFileDef", "AttrValue", "BundleEntryProto", "BundleHeaderProto", "CheckpointState",
    "CollectionDef", "DataType", "Event", "FullTypeDef", "FunctionDef", "FunctionDefLibrary",
    "GradientDef", "GraphDebugInfo", "GraphDef", "HistogramProto", "LogMessage", "MetaGraphDef",
    "NameAttrList", "NodeDef", "OpDef", "OpList", "ResourceHandleProto", "SavedModel", "SaverDef",
    "SaveSliceInfoDef", "SessionLog", "SignatureDef", "Summary", "SummaryMetadata",
    "TaggedRunMetadata", "TensorInfo", "TensorProto", "TensorShapeProto", "TensorSliceProto",
    "TrackableObjectGraph", "VariableDef", "VariantTensorDataProto", "VersionDef",
    "TF_PACKAGE", "OUR_PACKAGE",
    "BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList",
    "Int64List", "SequenceExample",
]
