"""`tf.contrib` (TF 1.x), which TF 2 no longer has: `layers`, `framework`, `slim`, `rnn` and `crf`.

Only the parts TF 1.x inference and model-building scripts use most are here, built from
ortflow's layers, cells and initializers with contrib's variable names, so a checkpoint written
by a TF 1.x contrib/slim script restores into the graph an ortflow script builds.
"""

from __future__ import annotations

import sys

from ortflow.api import contrib_crf as crf
from ortflow.api import contrib_framework as framework
from ortflow.api import contrib_layers as layers
from ortflow.api import contrib_rnn as rnn
from ortflow.api import contrib_slim as slim

__all__ = ["crf", "framework", "layers", "lookup", "rnn", "slim"]

# `import ortflow.contrib.slim as slim` (a TF 1.x script's `import tensorflow.contrib.slim as slim`
# with the package renamed) finds these: the parent `ortflow.contrib` is this module.
from ortflow.api import lookup_ops as lookup  # noqa: E402  (tf.contrib.lookup: the TF 1.x table helpers)

for _name, _module in (("crf", crf), ("framework", framework), ("layers", layers), ("lookup", lookup),
                       ("rnn", rnn), ("slim", slim)):
    sys.modules.setdefault(f"ortflow.contrib.{_name}", _module)
