"""Small TF 1.x API pieces scripts lean on: `tables_initializer`, `make_template`, version strings."""

from __future__ import annotations

__all__ = ["tables_initializer"]


def tables_initializer(name: str = "init_all_tables"):
    """One op running every table initializer of the default graph (`tf.tables_initializer`).

    ortflow builds no lookup tables, so in graphs it builds this is a NoOp named as
    TensorFlow names it; a graph imported with table initializers gets them grouped.
    """
    from ortflow.api.array_ops import group, no_op
    from ortflow.graph import GraphKeys, get_default_graph
    initializers = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    return group(*initializers, name=name) if initializers else no_op(name=name)
