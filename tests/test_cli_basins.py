"""`saddlelab basins`: the JSON record, cells equal to `saddlelab run`, the PNG, bad arguments."""

from __future__ import annotations

import json

import numpy as np
import pytest

from saddlelab.cli import main

KEYS = ["surface", "optimizer", "params", "domain", "grid", "steps", "xs", "ys", "attractors",
        "label", "steps_to_converge"]  # fmt: skip


def _json(capsys, command, *args):
    assert main([command, *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("surface", "lr", "steps"),
    [("himmelblau", "0.015", "300"), ("w1w2-mse", "0.1", "300"), ("himmelblau", "0.025", "100")],
)
def test_cells_are_the_runs_saddlelab_run_makes(capsys, surface, lr, steps):
    data = _json(capsys, "basins", surface, "--optimizer", "sgd", "--set", f"lr={lr}",
                 "--grid", "7", "--steps", steps)  # fmt: skip
    assert list(data) == KEYS
    n = data["grid"]
    assert n == 7 and len(data["xs"]) == len(data["ys"]) == n
    assert len(data["label"]) == len(data["steps_to_converge"]) == n
    assert all(len(row) == n for row in data["label"] + data["steps_to_converge"])
    for a in data["attractors"]:
        assert set(a) == {"point", "classification", "loss"} and len(a["point"]) == 2
    for j, i in [(0, 0), (6, 6), (3, 3), (1, 5), (5, 2), (2, 4)]:
        start = f"{data['xs'][i]!r},{data['ys'][j]!r}"
        run = _json(capsys, "run", surface, "--optimizer", "sgd", "--set", f"lr={lr}",
                    "--steps", steps, "--start", start)  # fmt: skip
        label, taken = data["label"][j][i], data["steps_to_converge"][j][i]
        if run["status"] == "converged":
            assert taken == run["steps"]
            d = [np.linalg.norm(np.subtract(a["point"], run["final"]["point"]))
                 for a in data["attractors"]]  # fmt: skip
            reach = 1e-2 if surface == "himmelblau" else 0.5  # w1w2-mse: a curve of minima
            assert label == int(np.argmin(d)) and min(d) < reach
        else:
            assert taken is None
            assert label == (-1 if run["status"] in ("diverged", "undefined") else -2), run[
                "status"
            ]


def test_three_parameters_on_a_slice(capsys):
    data = _json(capsys, "basins", "slice-trap", "--optimizer", "sgd", "--set", "lr=0.05",
                 "--grid", "5", "--steps", "200", "--slice", "z=0.5")  # fmt: skip
    assert data["domain"] == [[-1.5, 1.5]] * 3
    assert all(len(a["point"]) == 3 for a in data["attractors"])
    assert any(v >= 0 for row in data["label"] for v in row)


def test_png_colours_the_basins(tmp_path, capsys):
    from imageio.v3 import imread

    path = tmp_path / "b.png"
    assert main(["basins", "himmelblau", "--optimizer", "sgd", "--set", "lr=0.005",
                 "--grid", "40", "--steps", "2000", "--out", str(path)]) == 0  # fmt: skip
    assert "wrote" in capsys.readouterr().out
    image = imread(path)[..., :3].astype(int)
    assert image.shape == (624, 900, 3)
    # the four basin colours, lightened towards white by steps, fill the plot
    from saddlelab.commands.basins_image import PALETTE

    pixels = image.reshape(-1, 3) / 255
    for colour in PALETTE[:4]:
        base = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)]) / 255
        towards = 1 - base  # colour = base + t * (1 - base), 0 <= t <= 0.75
        t = (pixels - base) @ towards / (towards @ towards)
        off = np.linalg.norm(pixels - base - t[:, None] * towards, axis=1)
        assert np.count_nonzero((off < 0.03) & (t > -0.05) & (t < 0.8)) > 20000, colour


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "1"], "--grid must be at least 2"),
        (["--grid", "401"], "--grid must be at most 400"),
        (["--grid", "ten"], "--grid must be a whole number"),
        (["--steps", "0"], "--steps must be at least 1"),
        (["--steps", "nan"], "--steps must be a whole number"),
        (["--slice", "z=1"], "--slice is for 3-parameter surfaces"),
        (["--set", "lr"], "--set needs KEY=VALUE"),
        (["--set", "lr=-1"], "must not be negative"),
        (["--out", "b.gif"], "--out writes PNG"),
    ],
)
def test_bad_arguments_one_line(capsys, args, message):
    assert main(["basins", "himmelblau", "--optimizer", "sgd", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("w=0", "--slice needs z=VALUE"), ("z=abc", "must be a number"), ("z=9", "must be in")],
)
def test_bad_slice(capsys, text, message):
    assert main(["basins", "slice-trap", "--optimizer", "sgd", "--slice", text]) == 2
    assert message in capsys.readouterr().err


def test_the_summary_names_the_attractors_in_words(capsys):
    assert main(["basins", "himmelblau", "--optimizer", "sgd", "--set", "lr=0.005",
                 "--grid", "12", "--steps", "2000"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert out.count("Local minimum at (") == 4 and "local_min" not in out
