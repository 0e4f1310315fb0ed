"""Row-wise state of one or many runs, stepped by the compiled kernels.

Single runs are one row, batches are N rows, in the same arrays. Single runs and small batches
step in the generic loop of :mod:`._kernels` (compiled once per machine). Batches of at least
:data:`BATCH_KERNEL_MIN_ROWS` rows step in the surface's own batch kernel (:mod:`._batch`,
compiled once per surface and optimizer, then loaded from disk), split into row ranges across
a thread pool. Both run the same update code (:mod:`._rules`, :mod:`._rows`) with the same
per-update scalars, so batch row i and the single run with the same configuration agree to the
last bit (tested for every optimizer, with noise, clipping and schedules).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..criticality import DEFAULT_GRAD_RTOL
from . import _formulas as K
from .codegen import kernels_for
from .config import RunConfig, StartConfigs
from .specs import OPTIMIZERS, OptimizerError, pack_params
from .warmup import mark_compiled

BATCH_KERNEL_MIN_ROWS = 1024
"""Batches with at least this many rows use the per-surface batch kernel (compiled lazily on
first use, then cached on disk); smaller ones, and single runs, use the generic loop."""
ROWS_PER_THREAD = 8192
"""Fewest rows worth a piece of their own when a batch is split across threads."""
TABLE_ENTRIES = 1 << 20
"""Bound on (groups x updates) per-update scalars computed ahead of one kernel call."""

_ADAGRAD_INITIAL = [h.name for h in OPTIMIZERS["adagrad"].hyper].index("initial_accumulator_value")
_NO_GROUPS = np.zeros(0, dtype=np.int64)
_NO_TABLE = np.zeros((1, 1, 3))
_POOL_LOCK = threading.Lock()
_POOL: list[ThreadPoolExecutor] = []


def batch_threads() -> int:
    """Threads a large batch is split across (the CPUs this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (not Linux)
        return max(1, os.cpu_count() or 1)


def _pool() -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(batch_threads(), thread_name_prefix="saddlelab-batch"))
        return _POOL[0]


class Engine:
    """Arrays for N rows of one optimizer on one surface, and the calls that advance them."""

    def __init__(self, surface, configs: Sequence[RunConfig], pure: bool = False) -> None:
        if not configs:
            raise OptimizerError("a batch needs at least one run configuration")
        names = {c.optimizer for c in configs}
        if len(names) != 1:
            raise OptimizerError("all runs of a batch must use the same optimizer")
        for c in configs:
            if len(c.start) != surface.ndim:
                raise OptimizerError(
                    f"the start point needs {surface.ndim} coordinates, got {len(c.start)}"
                )
        self._prepare(surface, configs[0].optimizer, list(configs), pure)
        for i, config in enumerate(configs):
            self.write_config(i, config)
        self.reset_rows(range(len(configs)))

    @classmethod
    def from_starts(cls, surface, config: RunConfig, starts, pure: bool = False) -> Engine:
        """N rows, row i ``config.at_start(starts[i])``, set up as arrays (no per-row work)."""
        d = surface.ndim
        starts = np.array(starts, dtype=float, copy=True, ndmin=2)
        if starts.ndim != 2 or starts.shape[1] != d or len(starts) == 0:
            raise OptimizerError(f"the starts must be an (N, {d}) array with N >= 1, "
                                 f"got shape {starts.shape}")  # fmt: skip
        if not np.isfinite(starts).all():
            raise OptimizerError("the start points must be finite")
        engine = cls.__new__(cls)
        engine._prepare(surface, config.optimizer, StartConfigs(config, starts), pure)
        engine._pack(0, config)
        engine.RF[1:] = engine.RF[0]
        engine.RI[1:] = engine.RI[0]
        engine.reset_rows(range(len(starts)))
        return engine

    def _prepare(self, surface, optimizer: str, configs, pure: bool) -> None:
        """Arrays for ``len(configs)`` rows of ``optimizer`` on ``surface`` (all zero)."""
        self.surface = surface
        self.spec = OPTIMIZERS[optimizer]
        self.configs = configs
        n, d = len(configs), surface.ndim
        self.pure = pure
        if pure:  # the same code uncompiled: no numba (see _pure)
            from . import _pure

            self._loops, self.kernels = _pure, _pure.surface_functions(surface)
        else:
            from . import _kernels  # compiles the loops on first use (or loads numba's cache)

            self._loops, self.kernels = _kernels, kernels_for(surface)
            mark_compiled(surface)
        functions = (
            self.kernels.surface_grad,
            self.kernels.surface_loss,
            self.kernels.surface_hess,
        )
        self._fns = tuple(self._loops.first_class(f) for f in functions)
        self.lo = np.array([lo for lo, _ in surface.domain], dtype=float)
        self.hi = np.array([hi for _, hi in surface.domain], dtype=float)
        self.P = np.zeros((n, d))
        self.G = np.zeros((n, d))
        self.L = np.zeros(n)
        self.GN = np.zeros(n)
        self.S = np.zeros((n, 3, d))
        self.T = np.zeros(n, dtype=np.int64)
        self.FL = np.zeros(n, dtype=np.int64)
        self.ST = np.zeros(n, dtype=np.int64)
        self.CKL = np.zeros(n)
        self.CKT = np.zeros(n, dtype=np.int64)
        self.RF = np.zeros((n, K.N_RF))
        self.RI = np.zeros((n, K.N_RI), dtype=np.int64)
        self._scratch = (np.zeros((1, d)), np.zeros(1), np.zeros(1), np.zeros(1))
        self._rows_scratch = None
        self._groups: tuple[np.ndarray, int] | None = None

    def compile(self) -> None:
        """Step on in the compiled loops from now on (a pure engine; no-op otherwise).

        Every bit of a row's state lives in the arrays above, which both paths share, so the
        run goes on exactly as if it had been compiled from the start.
        """
        if not self.pure:
            return
        from . import _kernels

        kernels = kernels_for(self.surface)
        mark_compiled(self.surface)
        functions = (kernels.surface_grad, kernels.surface_loss, kernels.surface_hess)
        self._fns = tuple(_kernels.first_class(f) for f in functions)
        self._loops, self.kernels, self.pure = _kernels, kernels, False
        self._rows_scratch = None

    def write_config(self, i: int, config: RunConfig) -> None:
        """Put a row's settings in place; its optimizer state is left as it is."""
        if config.optimizer != self.spec.name:
            raise OptimizerError("a run cannot switch optimizer mid-run; reset with a new run")
        self.configs[i] = config
        self._pack(i, config)

    def _pack(self, i: int, config: RunConfig) -> None:
        """Row ``i``'s settings from ``config`` into RF and RI."""
        self._groups = None
        sched = config.schedule
        self.RF[i, :8] = pack_params(self.spec, config.params)
        self.RF[i, K.F_STEP_SIZE] = sched.step_size
        self.RF[i, K.F_GAMMA] = sched.gamma
        self.RF[i, K.F_T_MAX] = sched.T_max
        self.RF[i, K.F_ETA_MIN] = sched.eta_min
        self.RF[i, K.F_WARMUP] = sched.warmup
        self.RF[i, K.F_NOISE] = config.grad_noise
        self.RF[i, K.F_CLIP] = config.clip_norm or 0.0
        stops = config.early_stop
        self.RF[i, K.F_GTOL] = -1.0 if config.gtol is None or not stops else config.gtol
        self.RF[i, K.F_GRAD_RTOL] = DEFAULT_GRAD_RTOL if stops else -1.0
        self.RF[i, K.F_CRIT_TOL] = 0.0  # not known yet: the next status test computes it
        self.RF[i, K.F_STALL_RTOL] = config.stall_rtol
        self.RF[i, K.F_STALL_ATOL] = config.stall_atol
        self.RF[i, K.F_MARGIN] = config.diverge_margin
        window = config.stall_window if stops else 0
        self.RI[i] = (config.seed, config.max_steps, window, sched.code)

    def reset_rows(self, rows, starts: Sequence[Sequence[float]] | None = None) -> None:
        """Back to step 0 at the configured (or given) start, optimizer state cleared."""
        rows = list(rows)
        idx = np.asarray(rows, dtype=np.int64)
        if starts is None:
            configs = self.configs
            if isinstance(configs, StartConfigs):
                starts = configs.starts_of(idx)
            else:
                starts = [configs[i].start for i in rows]
        self.P[idx] = np.asarray(starts, dtype=float).reshape(len(rows), self.P.shape[1])
        self.S[idx] = 0.0
        if self.spec.name == "adagrad":  # the packed initial_accumulator_value
            self.S[idx, 0] = self.RF[idx, _ADAGRAD_INITIAL, None]
        self._groups = None
        self.T[idx] = 0
        self.FL[idx] = 0
        self.ST[idx] = K.READY
        self.CKT[idx] = 0
        if len(rows) == len(self.P):
            self._loops.initialize(*self._fns[:2], self.P, self.G, self.L, self.GN)
        else:
            for i in rows:
                self._loops.initialize(
                    *self._fns[:2],
                    self.P[i : i + 1],
                    self.G[i : i + 1],
                    self.L[i : i + 1],
                    self.GN[i : i + 1],
                )
        self.CKL[idx] = self.L[idx]

    def move_row(self, i: int, point: Sequence[float]) -> None:
        """Put row ``i`` at ``point``; its optimizer state and step count are kept."""
        self.P[i] = point
        self._loops.initialize(
            *self._fns[:2],
            self.P[i : i + 1],
            self.G[i : i + 1],
            self.L[i : i + 1],
            self.GN[i : i + 1],
        )
        self._groups = None
        self.CKT[i] = self.T[i]
        self.CKL[i] = self.L[i]
        self.RF[i, K.F_CRIT_TOL] = 0.0  # a new point: its tolerance is computed afresh

    def resume_rows(self, rows) -> None:
        idx = np.asarray(list(rows), dtype=np.int64)
        self._groups = None
        self.ST[idx] = K.RUNNING
        self.FL[idx] |= K.FLAG_RESUMED
        self.CKT[idx] = self.T[idx]
        self.CKL[idx] = self.L[idx]

    def advance(self, n: int, out=None) -> int:
        """Advance every ready or running row by up to ``n`` updates (:func:`._rows.advance_rows`).

        ``out`` = (points, loss, grad_norm, lr) arrays of length >= n records row 0 per update.
        """
        self.ST[self.ST == K.READY] = K.RUNNING
        record = out is not None
        if not record and len(self.P) >= BATCH_KERNEL_MIN_ROWS and not self.pure:
            self._advance_batch(int(n))
            return 0
        OP, OL, OG, OLR = out if record else self._scratch
        if self._rows_scratch is None:
            self._rows_scratch = self._loops.scratch(*self.P.shape)
        e = self
        return int(
            self._loops.advance(
                e.spec.code,
                *e._fns,
                e.P,
                e.G,
                e.L,
                e.GN,
                e.S,
                e.T,
                e.FL,
                e.ST,
                e.CKL,
                e.CKT,
                e.RF,
                e.RI,
                e.lo,
                e.hi,
                int(n),
                record,
                OP,
                OL,
                OG,
                OLR,
                _NO_GROUPS,
                _NO_TABLE,
                e._rows_scratch,
            )  # fmt: skip
        )

    def _regroup(self) -> tuple[np.ndarray, int]:
        """Group rows by everything the per-update scalars depend on (see :mod:`._batch`)."""
        key = np.concatenate(
            [self.RF[:, : K.F_WARMUP + 1], self.RI[:, K.I_SCHEDULE, None], self.T[:, None]],
            axis=1,
            dtype=float,
        )
        if (key == key[0]).all():
            gid, count = np.zeros(len(key), dtype=np.int64), 1
        else:
            gid = np.unique(key, axis=0, return_inverse=True)[1]
            gid = np.ascontiguousarray(gid.ravel(), dtype=np.int64)
            count = int(gid.max()) + 1
        self._groups = (gid, count)
        return self._groups

    def _advance_batch(self, n: int) -> None:
        """All rows together in the surface's batch kernel, split across threads by rows."""
        from . import _batch

        kernel = getattr(self.kernels, "batch_" + self.spec.name.replace("-", "_"))
        gid, count = self._groups or self._regroup()
        N = len(self.P)
        # a few pieces per thread, taken in turn: a thread slowed by other processes on a shared
        # machine then does fewer of them instead of holding up the call
        threads = batch_threads()
        parts = 1 if threads == 1 else max(1, min(4 * threads, N // ROWS_PER_THREAD))
        chunk = max(1, min(n, TABLE_ENTRIES // count))
        table = np.empty((count, chunk, _batch.N_TAB))
        remaining = n
        while remaining > 0 and (self.ST == K.RUNNING).any():
            k = min(chunk, remaining)
            args = (self.spec.code, self.RF, self.RI, self.T, self.ST)
            if not _batch.fill_tables(*args, gid, count, 0, k, table):
                gid, count = self._regroup()  # running rows of a group drifted apart
                chunk = max(1, min(n, TABLE_ENTRIES // count))
                table = np.empty((count, chunk, _batch.N_TAB))
                continue

            self._launch(kernel, k, gid, table, parts)
            remaining -= k

    def _launch(self, kernel, k: int, gid: np.ndarray, table: np.ndarray, parts: int) -> None:
        """Run ``kernel`` on ``parts`` contiguous row ranges in the thread pool (the kernel
        releases the GIL; each range is independent of the others)."""

        def rows(a: int, b: int) -> None:
            kernel(self._fns[2], self.P[a:b], self.G[a:b], self.L[a:b], self.GN[a:b], self.S[a:b],
                   self.T[a:b], self.FL[a:b], self.ST[a:b], self.CKL[a:b], self.CKT[a:b],
                   self.RF[a:b], self.RI[a:b], self.lo, self.hi, k, gid[a:b], table)  # fmt: skip

        N = len(self.P)
        if parts == 1:
            rows(0, N)
            return
        bounds = [N * j // parts for j in range(parts + 1)]
        futures = [_pool().submit(rows, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
        for future in futures:
            future.result()

    def lr_of(self, i: int) -> float:
        """Learning rate the next update of row ``i`` will use."""
        config = self.configs[i]
        return config.schedule.lr_at(config.params["lr"], int(self.T[i]))
