"""Row-wise state of one or many runs, stepped by the compiled kernels.

Single runs are one row, batches are N rows: the same arrays and the same compiled loop, so
batch row i and the single run with the same configuration agree to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _formulas as K
from .codegen import kernels_for
from .config import RunConfig
from .specs import OPTIMIZERS, OptimizerError, pack_params


class Engine:
    """Arrays for N rows of one optimizer on one surface, and the calls that advance them."""

    def __init__(self, surface, configs: Sequence[RunConfig]) -> None:
        if not configs:
            raise OptimizerError("a batch needs at least one run configuration")
        names = {c.optimizer for c in configs}
        if len(names) != 1:
            raise OptimizerError("all runs of a batch must use the same optimizer")
        self.surface = surface
        self.spec = OPTIMIZERS[configs[0].optimizer]
        self.configs = list(configs)
        n, d = len(configs), surface.ndim
        for c in configs:
            if len(c.start) != d:
                raise OptimizerError(f"the start point needs {d} coordinates, got {len(c.start)}")
        from . import _kernels  # compiles the loops on first use (or loads numba's cache)

        self._loops = _kernels
        self.kernels = kernels_for(surface)
        self._fns = (self.kernels.surface_grad, self.kernels.surface_loss)
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
        for i, config in enumerate(configs):
            self.write_config(i, config)
        self.reset_rows(range(n))

    def write_config(self, i: int, config: RunConfig) -> None:
        """Put a row's settings in place; its optimizer state is left as it is."""
        if config.optimizer != self.spec.name:
            raise OptimizerError("a run cannot switch optimizer mid-run; reset with a new run")
        self.configs[i] = config
        sched = config.schedule
        self.RF[i, :8] = pack_params(self.spec, config.params)
        self.RF[i, K.F_STEP_SIZE] = sched.step_size
        self.RF[i, K.F_GAMMA] = sched.gamma
        self.RF[i, K.F_T_MAX] = sched.T_max
        self.RF[i, K.F_ETA_MIN] = sched.eta_min
        self.RF[i, K.F_WARMUP] = sched.warmup
        self.RF[i, K.F_NOISE] = config.grad_noise
        self.RF[i, K.F_CLIP] = config.clip_norm or 0.0
        self.RF[i, K.F_GTOL] = config.gtol
        self.RF[i, K.F_STALL_RTOL] = config.stall_rtol
        self.RF[i, K.F_STALL_ATOL] = config.stall_atol
        self.RF[i, K.F_MARGIN] = config.diverge_margin
        self.RI[i] = (config.seed, config.max_steps, config.stall_window, sched.code)

    def reset_rows(self, rows, starts: Sequence[Sequence[float]] | None = None) -> None:
        """Back to step 0 at the configured (or given) start, optimizer state cleared."""
        rows = list(rows)
        for k, i in enumerate(rows):
            self.P[i] = self.configs[i].start if starts is None else starts[k]
            self.S[i] = 0.0
            if self.spec.name == "adagrad":
                self.S[i, 0] = self.configs[i].params["initial_accumulator_value"]
        idx = np.asarray(rows, dtype=np.int64)
        self.T[idx] = 0
        self.FL[idx] = 0
        self.ST[idx] = K.READY
        self.CKT[idx] = 0
        if len(rows) == len(self.P):
            self._loops.initialize(*self._fns, self.P, self.G, self.L, self.GN)
        else:
            for i in rows:
                self._loops.initialize(
                    *self._fns,
                    self.P[i : i + 1],
                    self.G[i : i + 1],
                    self.L[i : i + 1],
                    self.GN[i : i + 1],
                )
        self.CKL[idx] = self.L[idx]

    def resume_rows(self, rows) -> None:
        idx = np.asarray(list(rows), dtype=np.int64)
        self.ST[idx] = K.RUNNING
        self.FL[idx] |= K.FLAG_RESUMED
        self.CKT[idx] = self.T[idx]
        self.CKL[idx] = self.L[idx]

    def advance(self, n: int, out=None) -> int:
        """Advance every ready or running row by up to ``n`` updates; see ``_kernels.advance``.

        ``out`` = (points, loss, grad_norm, lr) arrays of length >= n records row 0 per update.
        """
        self.ST[self.ST == K.READY] = K.RUNNING
        record = out is not None
        OP, OL, OG, OLR = out if record else self._scratch
        return int(
            self._loops.advance(
                self.kernels.surface_grad,
                self.kernels.surface_loss,
                self.kernels.surface_hess,
                self.spec.code,
                self.P,
                self.G,
                self.L,
                self.GN,
                self.S,
                self.T,
                self.FL,
                self.ST,
                self.CKL,
                self.CKT,
                self.RF,
                self.RI,
                self.lo,
                self.hi,
                int(n),
                record,
                OP,
                OL,
                OG,
                OLR,
            )  # fmt: skip
        )

    def lr_of(self, i: int) -> float:
        """Learning rate the next update of row ``i`` will use."""
        config = self.configs[i]
        return config.schedule.lr_at(config.params["lr"], int(self.T[i]))
