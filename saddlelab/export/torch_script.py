""" "Copy as PyTorch": a short runnable script that reproduces a run with torch.optim.

:func:`torch_script` writes the loss in torch (:mod:`.torch_printer`), the ``torch.optim``
class with every hyper-parameter of the run by torch's keyword names, its learning-rate
scheduler, the start, the gradient noise and clipping, the mid-run edits at their steps and
the loop of the run's updates; the script prints the final point (``repr`` floats).

What is exact and what is not:
- the optimizers' arithmetic is torch's own (the engine follows it operation by operation);
- the gradient noise is the engine's counter-based generator, written out in the script
  (splitmix64 and Box-Muller on Python integers and the C library's log and cos), so the
  noise added to ``theta.grad`` is the engine's bit for bit;
- clipping is the engine's formula, which is ``torch.nn.utils.clip_grad_norm_``'s
  (``grad * min(1, max_norm / (norm + 1e-6))``) with the norm summed in order (torch's norm
  kernel may round its last bit differently);
- the gradient is autograd's and the schedules torch's recursive forms: both round
  differently from the engine's closed forms in the last bits, so the script's final point
  matches the run's to about 1e-12 relative on runs that settle (chaotic runs drift apart
  like any two floating-point codes).
Newton, saddle-free Newton and gd-escape have no torch.optim class: :class:`TorchScriptError`.
"""

from __future__ import annotations

from collections.abc import Mapping

from .options import ExportError
from .torch_printer import safe_name, torch_source

TORCH_CLASSES = {
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
"""The engine's optimizers that are torch.optim classes (same hyper-parameter names)."""
LAZY_STATE = {
    "rmsprop": {"momentum": "momentum_buffer", "centered": "grad_avg"},
    "adam": {"amsgrad": "max_exp_avg_sq"},
    "adamw": {"amsgrad": "max_exp_avg_sq"},
}
"""Buffers torch creates only when the optimizer starts with the option on; the engine keeps
them from the start at zero, so a script that switches the option on mid-run adds them."""

_NOISE = '''
MASK = (1 << 64) - 1


def mix(z):
    """splitmix64's finalizer (SaddleLab's gradient noise is counter-based)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def gauss(seed, t, j):
    """The standard normal SaddleLab adds to coordinate j of the gradient at update t."""
    key = mix((seed + 0x9E3779B97F4A7C15) & MASK)
    key = mix(key ^ t)
    a = mix(key ^ (2 * j + 1))
    b = mix(a ^ 0xD1B54A32D192ED03)
    u1 = ((a >> 11) + 1) * (1.0 / 9007199254740992.0)
    u2 = (b >> 11) * (1.0 / 9007199254740992.0)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
'''


class TorchScriptError(ExportError):
    """No script for this run (an optimizer without a torch.optim class): one line."""


def torch_available(optimizer: str) -> str | None:
    """None if ``optimizer`` has a PyTorch script, else the one line saying why not."""
    if optimizer in TORCH_CLASSES:
        return None
    return (f"{optimizer} has no torch.optim class, so there is no PyTorch script for it "
            f"(there is for {', '.join(TORCH_CLASSES)})")  # fmt: skip


def _value(value) -> str:
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    return repr(float(value))


def _kwargs(params: Mapping) -> str:
    return ", ".join(f"{k}={_value(v)}" for k, v in params.items())


def _scheduler(schedule) -> str | None:
    """torch.optim.lr_scheduler for a schedule (None for a constant rate)."""
    s = schedule
    main = {
        "constant": None,
        "step": f"StepLR(opt, step_size={s.step_size}, gamma={s.gamma!r})",
        "exponential": f"ExponentialLR(opt, gamma={s.gamma!r})",
        "cosine": f"CosineAnnealingLR(opt, T_max={s.T_max}, eta_min={s.eta_min!r})",
    }[s.kind]
    if not s.warmup:
        return None if main is None else f"lr_scheduler.{main}"
    warm = f"LinearLR(opt, start_factor=1.0 / {s.warmup + 1}, total_iters={s.warmup})"
    if main is None:
        return f"lr_scheduler.{warm}"
    return (f"lr_scheduler.SequentialLR(opt, [lr_scheduler.{warm},\n"
            f"    lr_scheduler.{main}], milestones=[{s.warmup}])")  # fmt: skip


def _closed_form(schedule) -> list[str]:
    """The schedule's rate at update t (0-based) from the base rate, as the engine computes it
    (:func:`saddlelab.core.optim._formulas.schedule_lr`)."""
    s = schedule
    body = {
        "constant": "return base",
        "step": f"return base * {s.gamma!r} ** float(s // {s.step_size})",
        "exponential": f"return base * {s.gamma!r} ** float(s)",
        "cosine": f"return {s.eta_min!r} + (base - {s.eta_min!r}) * "
        f"(1.0 + math.cos(math.pi * s / {float(s.T_max)!r})) / 2.0",
    }[s.kind]
    lines = ["def lr_at(base, t):", f'    """{s.spec()}: the rate of update t (0-based)."""']
    if s.warmup:
        w = s.warmup
        lines += [f"    if t < {w}:", f"        start = 1.0 / {w + 1}",
                  f"        return base * (start + (1.0 - start) * t / {w})"]  # fmt: skip
    return [*lines, f"    s = t - {s.warmup}", f"    {body}"]


def _edit_values(edit) -> dict:
    values = edit.values
    if edit.kind == "moved" and not isinstance(values, Mapping):
        return {"point": tuple(values)}
    return dict(values or {})


def _schedule_of(value):
    from saddlelab.core.optim import Schedule, parse_schedule

    return value if isinstance(value, Schedule) else parse_schedule(str(value))


def _plan(config, edits) -> tuple[bool, list]:
    """Whether the rate must be set from the closed form at every update (the base rate or
    the schedule changes mid-run under a schedule), and the schedules in force."""
    schedules = [config.schedule]
    lr_changes = False
    for edit in edits:
        values = _edit_values(edit)
        if edit.kind == "options" and values.get("schedule") is not None:
            schedules.append(_schedule_of(values["schedule"]))
        if edit.kind == "params" and "lr" in values:
            lr_changes = True
    scheduled = any(s.kind != "constant" or s.warmup for s in schedules)
    return scheduled and (lr_changes or len(schedules) > 1), schedules


def _edit_lines(edit, config, closed: bool) -> list[str]:
    values = _edit_values(edit)
    lines: list[str] = []
    if edit.kind == "params":
        from saddlelab.core.optim import resolve_params

        changed = {k: v for k, v in resolve_params(config.optimizer, values).items()
                   if k in values}  # fmt: skip
        lines.append(f"opt.param_groups[0].update({_kwargs(changed)})")
        if "lr" in changed and closed:
            lines.append(f"base_lr = {changed['lr']!r}")
        lazy = {k: v for k, v in LAZY_STATE.get(config.optimizer, {}).items() if k in changed}
        for option, buffer in lazy.items():
            lines.append(f'opt.state[theta].setdefault("{buffer}", torch.zeros_like(theta))  '
                         f"# {option} switched on mid-run")  # fmt: skip
    elif edit.kind == "options":
        if values.get("grad_noise") is not None:
            lines.append(f"noise = {float(values['grad_noise'])!r}")
        if "clip_norm" in values:
            clip = values["clip_norm"]
            lines.append(f"clip = {None if clip is None else float(clip)!r}")
        if values.get("schedule") is not None:
            lines += _closed_form(_schedule_of(values["schedule"]))
    elif edit.kind == "moved":
        point = ", ".join(repr(float(v)) for v in values["point"])
        lines += ["with torch.no_grad():  # moved (optimizer state kept)",
                  f"    theta.copy_(torch.tensor([{point}]))"]  # fmt: skip
    elif edit.kind == "resumed":
        lines.append("pass  # resumed after a pause: nothing changes in the arithmetic")
    else:
        raise TorchScriptError(f"a mid-run change of kind '{edit.kind}' has no PyTorch form")
    return lines


def torch_script(surface, record) -> str:
    """The PyTorch script of a run (:class:`~saddlelab.core.optim.replay.RunRecord`: config,
    mid-run edits, steps), or :class:`TorchScriptError` (one line) for an optimizer torch
    does not have."""
    config = record.config
    why = torch_available(config.optimizer)
    if why:
        raise TorchScriptError(why)
    edits = sorted(getattr(record, "edits", ()) or (), key=lambda e: e.step)
    steps = int(record.steps)
    names = [safe_name(v) for v in surface.variables]
    loss = torch_source(surface.expr, dict(zip(surface.symbols, names, strict=True)))
    closed, schedules = _plan(config, edits)
    noisy = config.grad_noise > 0 or any(
        e.kind == "options" and _edit_values(e).get("grad_noise") for e in edits
    )
    start = ", ".join(repr(float(v)) for v in config.start)
    scheduler = None if closed else _scheduler(config.schedule)
    head = [
        f'"""SaddleLab run on {surface.id}: {config.optimizer} for {steps} updates from ({start}).',
        "",
        "Generated by SaddleLab; prints the final point, which matches the app's run.",
        '"""',
        "",
        "import math",
        "",
        "import torch",
        *(["from torch.optim import lr_scheduler"] if scheduler else []),
        "",
        "torch.set_default_dtype(torch.float64)",
    ]
    body = [
        "",
        "",
        "def loss_fn(theta):",
        f"    {', '.join(names)} = theta",
        f"    return {loss}",
        "",
        "",
        f"theta = torch.tensor([{start}], requires_grad=True)",
        f"opt = torch.optim.{TORCH_CLASSES[config.optimizer]}(",
        f"    [theta], {_kwargs(config.params)}",
        ")",
    ]
    if scheduler:
        body.append(f"scheduler = {scheduler}")
    if closed:
        body += [
            "",
            "",
            *_closed_form(config.schedule),
            "",
            "",
            f"base_lr = {config.params['lr']!r}",
        ]
    body += [
        *([f"seed = {config.seed}"] if noisy else []),
        f"noise = {float(config.grad_noise)!r}  # standard deviation of the gradient noise",
        f"clip = {None if config.clip_norm is None else float(config.clip_norm)!r}"
        "  # most gradient norm (None: no clipping)",
        "",
        f"for t in range({steps}):",
    ]
    for edit in edits:
        if edit.step >= steps:
            continue
        body.append(f"    if t == {int(edit.step)}:  # {edit.kind}")
        body += [f"        {line}" for line in _edit_lines(edit, config, closed)]
    if closed:
        body += ['    opt.param_groups[0]["lr"] = lr_at(base_lr, t)']
    body += [
        "    opt.zero_grad()",
        "    loss_fn(theta).backward()",
        "    with torch.no_grad():",
    ]
    if noisy:
        body += ["        if noise > 0:",
                 f"            theta.grad += noise * torch.tensor([gauss(seed, t, j) "
                 f"for j in range({surface.ndim})])"]  # fmt: skip
    body += [
        "        if clip is not None:  # clip_grad_norm_'s rule, the norm summed in order",
        "            norm = math.sqrt(sum(g * g for g in theta.grad.tolist()))",
        "            if clip / (norm + 1e-6) < 1.0:",
        "                theta.grad *= clip / (norm + 1e-6)",
        "    opt.step()",
    ]
    if scheduler:
        body.append("    scheduler.step()")
    for edit in edits:
        if edit.step >= steps:
            body += [f"# after the last update: {edit.kind}"]
            body += _edit_lines(edit, config, closed)
    body += [
        "",
        'print("final point:", ", ".join(repr(v) for v in theta.tolist()))',
        'print("loss:", repr(loss_fn(theta).item()))',
    ]
    noise = ["", "", _NOISE.strip("\n")] if noisy else []
    return "\n".join(head + noise + body).rstrip("\n") + "\n"
