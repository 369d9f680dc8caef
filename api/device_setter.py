"""`tf.train.ClusterSpec` and `tf.train.replica_device_setter`: device strings only.

ortflow runs everything on one machine; these record TensorFlow's placement on the nodes
(`/job:ps/task:0` for variables, `/job:worker` for the rest) so that the graphs keep it.
"""

from __future__ import annotations

import re

__all__ = ["ClusterSpec", "replica_device_setter", "STANDARD_PS_OPS"]

STANDARD_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable",
                   "MutableHashTableV2", "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2",
                   "MutableDenseHashTable", "MutableDenseHashTableV2", "VarHandleOp",
                   "BoostedTreesEnsembleResource", "BoostedTreesQuantileStreamResource")

_FIELD = re.compile(r"/(job|replica|task|device):([^/]+)")


class ClusterSpec:
    """Jobs and their task addresses: `ClusterSpec({"ps": ["ps0:2222"], "worker": [...]})`."""

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        self._jobs: dict[str, dict[int, str]] = {}
        for job, tasks in dict(cluster).items():
            if isinstance(tasks, dict):
                self._jobs[job] = {int(i): addr for i, addr in tasks.items()}
            else:
                self._jobs[job] = dict(enumerate(tasks))

    @property
    def jobs(self) -> list[str]:
        return list(self._jobs)

    def num_tasks(self, job_name: str) -> int:
        if job_name not in self._jobs:
            raise ValueError(f"No such job in cluster: {job_name!r}")
        return len(self._jobs[job_name])

    def task_indices(self, job_name: str) -> list[int]:
        return sorted(self._jobs[job_name]) if job_name in self._jobs else []

    def task_address(self, job_name: str, task_index: int) -> str:
        try:
            return self._jobs[job_name][task_index]
        except KeyError as e:
            raise ValueError(f"No task {task_index} in job {job_name!r}") from e

    def job_tasks(self, job_name: str) -> list[str | None]:
        tasks = self._jobs.get(job_name, {})
        return [tasks.get(i) for i in range(max(tasks) + 1)] if tasks else []

    def as_dict(self) -> dict:
        return {job: ([t[i] for i in sorted(t)] if sorted(t) == list(range(len(t))) else dict(t))
                for job, t in self._jobs.items()}

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def __eq__(self, other) -> bool:
        return isinstance(other, ClusterSpec) and self._jobs == other._jobs

    def __repr__(self) -> str:
        return f"ClusterSpec({self.as_dict()!r})"


def _parse(spec: str) -> dict[str, str]:
    return {k: v for k, v in _FIELD.findall(spec or "")}


def _format(fields: dict[str, str]) -> str:
    return "".join(f"/{k}:{fields[k]}" for k in ("job", "replica", "task", "device") if k in fields)


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker",
                          merge_devices=True, cluster=None, ps_ops=None, ps_strategy=None):
    """A device function for `tf.device`: parameter-server ops round-robin over the ps tasks.

    Returns None when there are no ps tasks (TensorFlow's behaviour), so `tf.device(None)` applies.
    """
    if cluster is not None:
        cluster = cluster if isinstance(cluster, ClusterSpec) else ClusterSpec(cluster)
        ps_job = _parse(ps_device).get("job", "ps")
        ps_tasks = cluster.num_tasks(ps_job) if ps_job in cluster.jobs else 0
    if ps_tasks == 0:
        return None
    ps_ops = tuple(ps_ops) if ps_ops is not None else STANDARD_PS_OPS
    counter = iter(range(1 << 62))
    strategy = ps_strategy or (lambda op: next(counter) % ps_tasks)

    def choose(op) -> str:
        current = _parse(op.device) if merge_devices else {}
        if op.type in ps_ops:
            chosen = _parse(ps_device)
            if chosen.get("job") and (not current.get("job") or current["job"] == chosen["job"]):
                chosen["task"] = str(strategy(op))
        else:
            chosen = _parse(worker_device)
        chosen.update(current)
        return _format(chosen)

    return choose
