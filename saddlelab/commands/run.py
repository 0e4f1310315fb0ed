"""``saddlelab run``: one optimizer run on a surface, printed, as JSON, or as CSV."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from saddlelab.commands import progress, session_io
from saddlelab.commands.common import (
    CLIError,
    add_surface_arguments,
    parse_point,
    print_json,
    print_notes,
    surface_from_args,
    surface_notes,
    surface_spec,
    whole,
)
from saddlelab.core.numbers import count
from saddlelab.export.data import run_record_json, write_trajectory_csv
from saddlelab.export.options import ExportError

DEFAULT_STEPS = 1000
_OPTIONS = ("grad_noise", "clip_norm")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run an optimizer on a surface",
        description="Run an optimizer (torch.optim names and defaults) on a surface. "
        "Divergence is a status, not an error; so is a start where the loss is undefined "
        "(undefined_start: the run never steps) or a run that reaches such a point (undefined).",
    )
    add_optimizer_arguments(p)
    p.add_argument("--schedule", default="constant",
                   help='learning-rate schedule, e.g. "warmup=50+cosine:T_max=1000"')  # fmt: skip
    p.add_argument("--steps", default=str(DEFAULT_STEPS),
                   help=f"most updates to run ({DEFAULT_STEPS}); the run stops earlier where it "
                   "converges (the point is critical: the analysis's rule) or stalls, unless "
                   "--exact-steps")  # fmt: skip
    p.add_argument("--exact-steps", action="store_true",
                   help="take exactly --steps updates, as a training loop of fixed length does: "
                   "no convergence or stall test; only divergence (non-finite values, or "
                   "leaving the domain far behind) stops the run early. The JSON says whether "
                   "and why the run stopped early (stopped_early, stop_reason)")  # fmt: skip
    p.add_argument("--start", help="start point A,B[,C] (default: the surface's suggestion)")
    p.add_argument("--seed", default="0", help="seed of the gradient noise (0)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", metavar="FILE", help="write the trajectory as CSV to FILE")
    p.add_argument("--torch-script", metavar="FILE",
                   help="also write a PyTorch script that reproduces the run (torch.optim "
                   "optimizers only)")  # fmt: skip
    p.add_argument("--save-session", metavar="FILE",
                   help="also write the session that reopens this run")  # fmt: skip
    p.set_defaults(handler=handle)


def add_optimizer_arguments(p: argparse.ArgumentParser) -> None:
    """SURFACE (or --expr/--vars/--domain), --optimizer and --set, as ``run`` reads them."""
    add_surface_arguments(p)
    p.add_argument("--optimizer", required=True, help="sgd, adagrad, rmsprop, adam, adamw, "
                   "newton, saddle-free-newton or gd-escape")  # fmt: skip
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a hyper-parameter (lr=0.01, betas=0.9,0.999, nesterov=true) or an option "
                   "(grad_noise=0.1, clip_norm=1); repeatable")  # fmt: skip


def _settings(pairs: list[str]) -> tuple[dict[str, str], dict[str, float]]:
    hyper: dict[str, str] = {}
    options: dict[str, float] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not key:
            raise CLIError(f"--set needs KEY=VALUE, got '{pair}'")
        if key in _OPTIONS:
            try:
                options[key] = float(value)
            except ValueError:
                raise CLIError(f"{key} must be a number, got '{value}'") from None
        else:
            hyper[key] = value
    return hyper, options


def handle(args: argparse.Namespace) -> int:
    steps = whole(args.steps, "--steps", 0)
    if args.torch_script:
        from saddlelab.export.torch_script import torch_available

        why = torch_available(args.optimizer)
        if why:
            raise CLIError(why)
    session_io.check_target(args.save_session)
    if not progress.compile_first(surface_spec(args), steps):
        print("saddlelab: interrupted by Ctrl-C while compiling: no steps taken", file=sys.stderr)
        return 130
    surface = surface_from_args(args)
    seed = whole(args.seed, "--seed", 0)
    start = (
        parse_point(args.start, surface.ndim, "--start")
        if args.start
        else surface.suggested_start()
    )
    hyper, options = _settings(args.set)

    from saddlelab.core.optim import OptimizerError, Run, RunConfig, parse_schedule

    try:
        schedule = parse_schedule(args.schedule)
        config = RunConfig.make(
            args.optimizer, start, hyper, schedule=schedule, seed=seed, max_steps=steps,
            grad_noise=options.get("grad_noise", 0.0), clip_norm=options.get("clip_norm"),
            early_stop=not args.exact_steps,
        )  # fmt: skip
        # pure until compiling pays (same results bit for bit); rows kept only to be written
        run = Run(surface, config, pure=True, keep_trajectory=bool(args.json or args.csv))
    except OptimizerError as error:
        raise CLIError(str(error)) from None
    interrupted = progress.advance(run, steps)
    note = (
        f"interrupted by Ctrl-C after {run.steps} of {count(steps, 'step')}"
        if interrupted
        else None
    )
    session_io.save_runs_session(args.save_session, surface, [run])
    notes, facts = surface_notes(args, surface)
    if args.torch_script:
        _write_torch_script(args.torch_script, surface, run)
    stop = _stop(run, steps, interrupted)
    if args.json:
        print_json({**run_record_json(surface, run), **stop, **facts})
        return 130 if interrupted else 0
    print_notes(notes)
    if args.csv:
        trajectory = run.trajectory
        try:
            write_trajectory_csv(args.csv, surface, trajectory)
        except ExportError as error:
            raise CLIError(str(error)) from None
        wrote = f"wrote {count(len(trajectory), 'row')} to {args.csv}"
        _print_summary(surface, run, stop, f"{note}; {wrote}" if note else wrote)
    else:
        _print_summary(surface, run, stop, note)
    return 130 if interrupted else 0


def _write_torch_script(path: str, surface, run) -> None:
    from saddlelab.core.optim.replay import RunRecord
    from saddlelab.export.torch_script import torch_script

    try:
        text = torch_script(surface, RunRecord(run.config, (), run.steps))
        Path(path).write_text(text, encoding="utf-8")
    except ExportError as error:
        raise CLIError(str(error)) from None
    except OSError as error:
        raise CLIError(f"cannot write {path}: {error.strerror or error}") from None


def _stop(run, requested: int, interrupted: bool) -> dict:
    """Whether the run took fewer updates than asked for, and why (its status, or Ctrl-C)."""
    early = run.steps < requested
    reason = "interrupted" if interrupted else run.status.value
    return {
        "steps_requested": requested,
        "steps_taken": run.steps,
        "early_stop": run.config.early_stop,
        "stopped_early": early,
        "stop_reason": reason if early else None,
        "interrupted": interrupted,
    }


def _print_summary(surface, run, stop: dict, note: str | None) -> None:
    config = run.config
    params = ", ".join(f"{k}={v}" for k, v in config.params.items())
    point = ", ".join(f"{v:.6g}" for v in run.point)
    loss = f"{run.loss:.6g}" if math.isfinite(run.loss) else "undefined"
    lines = [
        f"{surface.id}: {config.optimizer} ({params}), schedule {config.schedule.spec()}",
        f"status: {run.status.value}",
        run.status_detail,
        f"steps: {run.steps}   final point: ({point})   loss: {loss}   "
        f"gradient norm: {run.grad_norm:.3g}",
        f"stopped early ({stop['stop_reason']}) after {run.steps} of "
        f"{count(stop['steps_requested'], 'step')}"
        if stop["stopped_early"]
        else f"took all {count(run.steps, 'step')}",
    ]
    if note:
        lines.append(note)
    sys.stdout.write("\n".join(lines) + "\n")
