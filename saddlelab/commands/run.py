"""``saddlelab run``: one optimizer run on a surface, printed, as JSON, or as CSV."""

from __future__ import annotations

import argparse
import csv
import sys

from saddlelab.commands.common import (
    CLIError,
    add_surface_arguments,
    parse_point,
    print_json,
    surface_from_args,
)

DEFAULT_STEPS = 1000
_OPTIONS = ("grad_noise", "clip_norm")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run an optimizer on a surface",
        description="Run an optimizer (torch.optim names and defaults) on a surface. "
        "Divergence is a status, not an error.",
    )
    add_surface_arguments(p)
    p.add_argument("--optimizer", required=True, help="sgd, adagrad, rmsprop, adam, adamw, "
                   "newton, saddle-free-newton or gd-escape")  # fmt: skip
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a hyper-parameter (lr=0.01, betas=0.9,0.999, nesterov=true) or an option "
                   "(grad_noise=0.1, clip_norm=1); repeatable")  # fmt: skip
    p.add_argument("--schedule", default="constant",
                   help='learning-rate schedule, e.g. "warmup=50+cosine:T_max=1000"')  # fmt: skip
    p.add_argument("--steps", default=str(DEFAULT_STEPS), help=f"updates to run ({DEFAULT_STEPS})")
    p.add_argument("--start", help="start point A,B[,C] (default: the surface's suggestion)")
    p.add_argument("--seed", default="0", help="seed of the gradient noise (0)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", metavar="FILE", help="write the trajectory as CSV to FILE")
    p.set_defaults(handler=handle)


def _whole(text: str, option: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CLIError(f"{option} must be a whole number, got '{text}'") from None
    if value < minimum:
        raise CLIError(f"{option} must be at least {minimum}, got {value}")
    return value


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
    surface = surface_from_args(args)
    steps = _whole(args.steps, "--steps", 0)
    seed = _whole(args.seed, "--seed", 0)
    start = (
        parse_point(args.start, surface.ndim, "--start")
        if args.start
        else surface.suggested_start()
    )
    hyper, options = _settings(args.set)

    from saddlelab.core.optim import OptimizerError, Run, RunConfig, parse_schedule
    from saddlelab.core.optim.warmup import advance_fastest

    try:
        schedule = parse_schedule(args.schedule)
        config = RunConfig.make(
            args.optimizer, start, hyper, schedule=schedule, seed=seed, max_steps=steps,
            grad_noise=options.get("grad_noise", 0.0), clip_norm=options.get("clip_norm"),
        )  # fmt: skip
        # pure until compiling pays (same results bit for bit); rows kept only to be written
        run = Run(surface, config, pure=True, keep_trajectory=bool(args.json or args.csv))
    except OptimizerError as error:
        raise CLIError(str(error)) from None
    advance_fastest(run, steps)
    if args.json:
        print_json(_as_dict(surface, run, run.trajectory))
    elif args.csv:
        trajectory = run.trajectory
        _write_csv(args.csv, surface, trajectory)
        _print_summary(surface, run, f"wrote {len(trajectory)} rows to {args.csv}")
    else:
        _print_summary(surface, run, None)
    return 0


def _final(surface, point) -> dict | None:
    from saddlelab.core.analysis import AnalysisError, analyze

    try:
        return analyze(surface, point).to_dict()
    except AnalysisError:
        return None  # the run ended on non-finite values: nothing to analyse


def _as_dict(surface, run, trajectory) -> dict:
    config = run.config
    return {
        "surface": surface.id,
        "optimizer": config.optimizer,
        "params": config.params,
        "schedule": config.schedule.spec(),
        "start": list(config.start),
        "step": trajectory.step,
        "trajectory": trajectory.points,
        "loss": trajectory.loss,
        "gradient_norm": trajectory.grad_norm,
        "lr": trajectory.lr,
        "decimated": trajectory.decimated,
        "status": run.status.value,
        "status_detail": run.status_detail,
        "steps": run.steps,
        "final": _final(surface, run.point),
    }


def _write_csv(path: str, surface, trajectory) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["step", *surface.variables, "loss", "gradient_norm", "lr"])
            for k in range(len(trajectory)):
                writer.writerow(
                    [int(trajectory.step[k]), *(repr(float(v)) for v in trajectory.points[k]),
                     repr(float(trajectory.loss[k])), repr(float(trajectory.grad_norm[k])),
                     repr(float(trajectory.lr[k]))]
                )  # fmt: skip
    except OSError as error:
        raise CLIError(f"cannot write {path}: {error.strerror}") from None


def _print_summary(surface, run, note: str | None) -> None:
    config = run.config
    params = ", ".join(f"{k}={v}" for k, v in config.params.items())
    point = ", ".join(f"{v:.6g}" for v in run.point)
    lines = [
        f"{surface.id}: {config.optimizer} ({params}), schedule {config.schedule.spec()}",
        f"status: {run.status.value}",
        run.status_detail,
        f"steps: {run.steps}   final point: ({point})   loss: {run.loss:.6g}   "
        f"gradient norm: {run.grad_norm:.3g}",
    ]
    if note:
        lines.append(note)
    sys.stdout.write("\n".join(lines) + "\n")
