"""The batch kernels' vectorised lanes: the running rows of a block, one update at a time.

For the element-wise optimizers (SGD, Adagrad, RMSprop, Adam, AdamW: every coordinate's update
depends on that coordinate alone, :func:`._rules.coordinate`) a block's running rows without
noise or clipping are copied into coordinate-major lanes. Each update is one loop over the
lanes that the compiler vectorises: the optimizer's coordinate rule, the gradient at the new
point, the divergence test and :func:`._rows.needs_status`; only the lanes that test flags go
through the scalar :func:`._rows.update_status`, exactly as the single-run loop calls it. A
lane whose row stops is written back and replaced by the last lane (so every lane in the loop
is running and the loop has no masks); the block ends when no lane is left.

SGD's momentum buffer: torch sets it to the first gradient (``buf = g``) and only later
updates ``buf = momentum * buf + (1 - dampening) * g``; the row's ``FLAG_BUFFER`` bit says
which (:func:`._rules.buffer_flag`) and each lane carries it (an earlier version passed
"no buffer" on every update, so SGD with momentum lost its momentum in the lanes).

Newton, saddle-free Newton and gd-escape need the whole row's Hessian per update and stay on the
row path. Every formula comes from :mod:`._rules` and :mod:`._rows`, so the lanes agree with
single runs bit for bit.
"""

import math

import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, register_jitable
from numba.np.arrayobj import make_array, populate_array

from ._formulas import (
    F_CRIT_TOL,
    F_GRAD_RTOL,
    F_GTOL,
    F_MARGIN,
    F_STALL_ATOL,
    F_STALL_RTOL,
    I_MAX_STEPS,
    I_STALL_WINDOW,
    RUNNING,
)  # fmt: skip
from ._rows import needs_status, outside, update_status
from ._rules import buffer_flag, coordinate


@intrinsic
def _unowned(typingctx, arr):
    """A view of the C-contiguous float array ``arr`` without its owner: reference counting it
    costs a test of a null pointer instead of an atomic increment (the status checks pass
    their work arrays into functions on every call). ``arr`` must outlive the view."""
    if not (isinstance(arr, types.Array) and arr.layout == "C"):
        return None

    def codegen(context, builder, signature, args):
        src = make_array(arr)(context, builder, args[0])
        out = make_array(arr)(context, builder)
        populate_array(out, data=src.data, shape=cgutils.unpack_tuple(builder, src.shape),
                       strides=cgutils.unpack_tuple(builder, src.strides),
                       itemsize=src.itemsize, meminfo=None)  # fmt: skip
        return out._getvalue()

    return arr(arr), codegen


def lanes_for(opt: int, D: int, grad, loss_fn, RB: int):
    """The lanes loop for optimizer ``opt`` on a ``D``-variable surface (constants of it), for
    blocks of at most ``RB`` rows (the lanes' arrays have constant shapes: constant strides let
    the compiler see that the lanes' rows never overlap, and vectorise)."""

    @register_jitable(inline="always")
    def store(b, i, LP, LG, LM, LF, LI, P, G, S, T, FL, CKT, RF, tot, b0):
        """Lane b back into row i."""
        T[i] = LI[0, b]
        FL[i] = LI[1, b]
        CKT[i] = LI[2, b]
        RF[i, F_CRIT_TOL] = LF[1, b]
        tot[i - b0] = LF[0, b]
        for j in range(D):
            P[i, j] = LP[j, b]
            G[i, j] = LG[j, b]
            for s in range(3):
                S[i, s, j] = LM[s, j, b]

    @register_jitable(inline="always")
    def load(m, IDX, LP, LG, LM, LF, LI, P, G, S, T, FL, CKT, RF, RI):
        """Rows IDX[:m] into lanes 0..m-1, field by field."""
        for b in range(m):
            LI[0, b], LI[1, b], LI[2, b] = T[IDX[b]], FL[IDX[b]], CKT[IDX[b]]
        for b in range(m):
            LI[3, b], LI[4, b] = RI[IDX[b], I_STALL_WINDOW], RI[IDX[b], I_MAX_STEPS]
            LF[1, b], LF[2, b] = RF[IDX[b], F_CRIT_TOL], RF[IDX[b], F_MARGIN]
        for j in range(D):
            for b in range(m):
                LP[j, b], LG[j, b] = P[IDX[b], j], G[IDX[b], j]
                LM[0, j, b], LM[1, j, b], LM[2, j, b] = (
                    S[IDX[b], 0, j],
                    S[IDX[b], 1, j],
                    S[IDX[b], 2, j],
                )

    @register_jitable(inline="always")
    def move(src, dst, IDX, LP, LG, LM, LF, LI):
        """Lane src into lane dst."""
        IDX[dst] = IDX[src]
        for r in range(5):
            LI[r, dst] = LI[r, src]
        for r in range(3):
            LF[r, dst] = LF[r, src]
        for j in range(D):
            LP[j, dst] = LP[j, src]
            LG[j, dst] = LG[j, src]
            for s in range(3):
                LM[s, j, dst] = LM[s, j, src]

    @register_jitable
    def lanes(hess, b0, b1, P, G, S, T, FL, ST, CKL, CKT, RF, RI, lo, hi, n, GID, TAB, fresh,
              tot, work):  # fmt: skip
        """Rows b0..b1 (no noise, no clipping; the start test done) by up to ``n`` updates.

        ``fresh`` and ``tot`` (indexed from b0) say which rows took an update and their last
        squared gradient norm, for :func:`._rows.finish_rows`.
        """
        H, lam, U, W = _unowned(work[0]), _unowned(work[1]), _unowned(work[2]), _unowned(work[3])
        rows = np.empty(b1 - b0, dtype=np.int64)
        m = 0
        for i in range(b0, b1):
            fresh[i - b0] = False
            if ST[i] == RUNNING and n > 0:
                fresh[i - b0] = True  # every lane takes the first update
                rows[m] = i
                m += 1
        if m == 0:
            return
        # lanes sorted by group: each group's lanes are a range [QS, QE) stepped with the
        # group's scalars (loop constants: the update loop then vectorises)
        QS, QE, QG = np.empty(m, np.int64), np.empty(m, np.int64), np.empty(m, np.int64)
        QR, IDX = np.empty(m, np.int64), np.empty(m, np.int64)
        nq, placed = 0, 0
        while placed < m:  # the groups in order of first appearance, each a range of lanes
            g = -1
            for k in range(m):
                if g < 0 and rows[k] >= 0:
                    g = GID[rows[k]]
                    QS[nq], QG[nq], QR[nq] = placed, g, rows[k]  # QR: a row of the group
                if g >= 0 and rows[k] >= 0 and GID[rows[k]] == g:
                    IDX[placed] = rows[k]
                    placed += 1
                    rows[k] = -1
            QE[nq] = placed
            nq += 1
        LP, LG, LM = np.empty((D, RB)), np.empty((D, RB)), np.empty((3, D, RB))
        LF, LI = np.empty((3, RB)), np.empty((5, RB), dtype=np.int64)
        FLAG = np.empty(RB, dtype=np.bool_)
        load(m, IDX, LP, LG, LM, LF, LI, P, G, S, T, FL, CKT, RF, RI)
        los = (lo[0], lo[1], lo[D - 1])  # the domain as loop constants
        his = (hi[0], hi[1], hi[D - 1])
        for k in range(n):
            left = 0
            for q in range(nq):
                s0, e0 = QS[q], QE[q]
                if s0 == e0:
                    continue
                g, r = QG[q], QR[q]
                lr, sa, sb = TAB[g, k, 0], TAB[g, k, 1], TAB[g, k, 2]
                h1, h2, h3, h4, h5 = RF[r, 1], RF[r, 2], RF[r, 3], RF[r, 4], RF[r, 5]
                flagged = False
                for b in range(np.uint64(s0), np.uint64(e0)):  # the update: unsigned indices
                    # (no negative-index test), no call with array arguments (reference counts)
                    flag, LI[1, b] = buffer_flag(opt, LI[1, b], h1)  # SGD's momentum buffer
                    for j in range(D):
                        LP[j, b], LM[0, j, b], LM[1, j, b], LM[2, j, b] = coordinate(
                            opt, LP[j, b], LG[j, b], LM[0, j, b], LM[1, j, b], LM[2, j, b], lr,
                            sa, sb, h1, h2, h3, h4, h5, flag, 0.0,
                        )  # fmt: skip
                    g3 = grad(LP[0, b], LP[1, b], LP[2, b] if D == 3 else 0.0)
                    total = 0.0
                    for j in range(D):
                        LG[j, b] = g3[j]
                        total += g3[j] * g3[j]
                    LF[0, b] = total
                    t = LI[0, b] + 1
                    LI[0, b] = t
                    bad = not math.isfinite(total)
                    for j in range(D):
                        bad = bad | outside(LP[j, b], los[j], his[j], LF[2, b])
                    f = needs_status(total, bad, LF[1, b], t, LI[2, b], LI[3, b], LI[4, b])
                    FLAG[b] = f
                    flagged = flagged | f
                if flagged:
                    for b in range(e0 - 1, s0 - 1, -1):  # the status, as the single-run loop
                        if not FLAG[b]:
                            continue
                        i = IDX[b]
                        bad = not math.isfinite(LF[0, b])
                        for j in range(D):
                            bad = bad | outside(LP[j, b], lo[j], hi[j], LF[2, b])
                        status, CKL[i], LI[2, b], LF[1, b] = update_status(
                            opt, hess, loss_fn, LP[0, b], LP[1, b], LP[2, b] if D == 3 else 0.0,
                            D, LF[0, b], bad, LI[0, b], LI[2, b], CKL[i], LF[1, b], 0.0, False,
                            RF[i, F_GTOL], RF[i, F_GRAD_RTOL], RF[i, F_STALL_RTOL],
                            RF[i, F_STALL_ATOL], LI[3, b], LI[4, b], H, lam, U, W,
                        )  # fmt: skip
                        if status != RUNNING:
                            ST[i] = status
                            store(b, i, LP, LG, LM, LF, LI, P, G, S, T, FL, CKT, RF, tot, b0)
                            QE[q] -= 1  # the group's last lane (checked already) moves in
                            if b != QE[q]:
                                move(QE[q], b, IDX, LP, LG, LM, LF, LI)
                left += QE[q] - QS[q]
            if left == 0:
                break
        for q in range(nq):
            for b in range(QS[q], QE[q]):
                store(b, IDX[b], LP, LG, LM, LF, LI, P, G, S, T, FL, CKT, RF, tot, b0)

    return lanes
