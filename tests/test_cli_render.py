"""`saddlelab render`: every format written without a window and read back, sessions saved and
drawn again, hostile arguments refused in one line, no display needed for 2-D, a clear line
where the 3-D view has no OpenGL, Ctrl-C leaving no file."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import imageio.v3 as iio
import numpy as np
import pytest
from pypdf import PdfReader

from saddlelab.cli import main
from saddlelab.export.theme import run_colour
from saddlelab.models.runs import PALETTE
from saddlelab.models.session import load_session

RUNS = ["--run", "adam lr=0.01", "--run", "sgd lr=0.001 momentum=0.9 start=1,-0.5 steps=400"]
BASE = ["render", "rosenbrock", *RUNS, "--steps", "600", "--start", "-1.2,1"]


def _render(tmp_path, name, *extra, capsys=None):
    out = tmp_path / name
    assert main([*BASE, "--out", str(out), *extra]) == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers
    return out


def test_png_has_the_asked_size_and_the_runs_colours(tmp_path):
    out = _render(tmp_path, "map.png", "--size", "800x500", "--dpi", "100")
    image = iio.imread(out)
    assert image.shape[:2] == (500, 800)
    for colour in PALETTE[:2]:  # each run's line, in its paper colour
        rgb = np.array([int(run_colour(colour, "light")[i : i + 2], 16) for i in (1, 3, 5)])
        near = np.abs(image[..., :3].astype(int) - rgb).max(axis=-1) <= 12
        assert near.sum() > 150, colour
    light = _render(tmp_path, "loss.png", "--view", "loss", "--size", "600x400")
    assert iio.imread(light).shape[:2] == (400, 600)


def test_svg_and_pdf_are_vector_pages_of_the_asked_size(tmp_path):
    svg = _render(tmp_path, "map.svg", "--size", "column").read_text()
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)pt"', svg).group(1))
    assert svg.count("<path") > 20 and width == pytest.approx(252, abs=0.01)  # 3.5 in
    pdf = _render(tmp_path, "map.pdf", "--size", "7x4in", "--theme", "dark")
    (page,) = PdfReader(pdf).pages
    size = (float(page.mediabox.width), float(page.mediabox.height))
    assert size == pytest.approx((504.0, 288.0), abs=0.01)


def test_gif_and_mp4_have_the_frames_asked_for(tmp_path):
    gif = _render(tmp_path, "m.gif", "--fps", "10", "--duration", "1.5", "--size", "320x200")
    frames = iio.imread(gif, index=None)
    assert frames.shape[:3] == (15, 200, 320)
    mp4 = _render(tmp_path, "m.mp4", "--fps", "12", "--duration", "1", "--size", "321x201")
    frames = iio.imread(mp4, index=None, plugin="pyav") if _has_pyav() else _ffmpeg_frames(mp4)
    assert frames.shape[0] == 12 and frames.shape[1:3] == (202, 322)  # padded to even sides


def _has_pyav() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def _ffmpeg_frames(path) -> np.ndarray:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    return np.stack([np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader])


def test_saved_session_draws_the_same_picture(tmp_path):
    session = tmp_path / "s.saddle.json"
    first = _render(tmp_path, "a.png", "--size", "400x300", "--save-session", str(session))
    saved = load_session(session)
    assert [e.record.steps for e in saved.runs] == [600, 400]
    assert saved.runs[1].record.config.start == (1.0, -0.5)
    again = tmp_path / "b.png"
    assert main(["render", "--session", str(session), "--out", str(again),
                 "--size", "400x300"]) == 0  # fmt: skip
    np.testing.assert_array_equal(iio.imread(first), iio.imread(again))


def _child(args, env=None, **kw):
    env = {**os.environ, **(env or {})}
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=env, check=False, timeout=240, **kw)  # fmt: skip


CHILD = (
    "import sys\n"
    "from saddlelab.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('qt imported' if any(m.startswith('PySide6') for m in sys.modules) else 'no qt')\n"
    "sys.exit(code)\n"
)


def test_2d_needs_no_display_and_never_imports_qt(tmp_path):
    for name in ("a.png", "a.pdf", "a.gif"):
        out = tmp_path / name
        done = _child([*BASE, "--out", str(out), "--duration", "0.5", "--fps", "4"])
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "no qt" and out.stat().st_size > 1000


def test_3d_without_opengl_says_so_in_one_line(tmp_path):
    out = tmp_path / "s.png"
    done = _child([*BASE, "--out", str(out), "--view", "surface"])
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "OpenGL" in done.stderr
    assert "xvfb-run" in done.stderr and not out.exists()


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (xvfb-run)")
def test_3d_png_and_movie_under_a_display(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHILD, *BASE, "--view", "surface", "--size",
                           "450x300", "--scale", "2", "--out", str(tmp_path / "s.png"),
                           "--save-session", str(tmp_path / "s.json")],
                          capture_output=True, text=True, check=False, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert iio.imread(tmp_path / "s.png").shape[:2] == (600, 900)
    camera = json.loads((tmp_path / "s.json").read_text())["camera"]
    assert camera and "distance" in camera
    done = subprocess.run([sys.executable, "-c", CHILD, "render", "--session",
                           str(tmp_path / "s.json"), "--out", str(tmp_path / "s.gif"),
                           "--view", "surface", "--orbit", "--fps", "5", "--duration", "1",
                           "--size", "300x200"],
                          capture_output=True, text=True, check=False, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert iio.imread(tmp_path / "s.gif", index=None).shape[0] == 5


def test_ctrl_c_stops_a_long_animation_with_nothing_written(tmp_path):
    out = tmp_path / "long.mp4"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, *BASE, "--out", str(out), "--fps",
                              "60", "--duration", "600", "--size", "320x240"],
                             stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env=env)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.1)  # the first frames are being written
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


BAD = [
    (["--out", "x.bmp"], "cannot tell the format"),
    (["--out", "missing/x.png"], "no folder"),
    (["--out", "x.pdf", "--view", "surface"], "3-D view"),
    (["--out", "x.gif", "--view", "loss"], "loss curves"),
    (["--out", "x.png", "--view", "side"], "invalid choice"),
    (["--out", "x.png", "--size", "10"], "--size must be"),
    (["--out", "x.png", "--size", "0x100"], "at least 1"),
    (["--out", "x.png", "--size", "100000x100"], "pixels on each side"),
    (["--out", "x.png", "--size", "axb"], "whole number"),
    (["--out", "x.png", "--size", "nanxnanin"], "finite"),
    (["--out", "x.png", "--dpi", "5"], "dpi"),
    (["--out", "x.png", "--dpi", "lots"], "--dpi must be a number"),
    (["--out", "x.gif", "--fps", "0"], "--fps must be at least 1"),
    (["--out", "x.gif", "--fps", "1000"], "fps"),
    (["--out", "x.gif", "--duration", "-1"], "duration"),
    (["--out", "x.gif", "--duration", "inf"], "finite"),
    (["--out", "x.png", "--scale", "9"], "1x to 4x"),
    (["--out", "x.png", "--run", ""], "--run is empty"),
    (["--out", "x.png", "--run", "adam lr"], "key=value"),
    (["--out", "x.png", "--run", "adam lr=-1"], "learning rate must not be negative"),
    (["--out", "x.png", "--run", "adamax"], "unknown optimizer"),
    (["--out", "x.png", "--run", "adam momentum=0.9"], "adam has no parameter 'momentum'"),
    (["--out", "x.png", "--run", "adam start=1"], "start needs 2 coordinates"),
    (["--out", "x.png", "--run", "adam steps=1e400"], "whole number"),
    (["--out", "x.png", "--run", "adam schedule=cosine"], "needs T_max"),
    (["--out", "x.png", "--run", "adam grad_noise=-1"], "grad_noise"),
    (["--out", "x.png", "--steps", "-3"], "--steps must be at least 0"),
    (["--out", "x.png", *["--run", "sgd"] * 17], "at most 16"),
    (["--out", "x.png", "--save-session", "missing/s.json"], "--save-session: no folder"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "phrase"), BAD)
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, monkeypatch, extra, phrase):
    monkeypatch.chdir(tmp_path)
    assert main(["render", "rosenbrock", "--run", "adam lr=0.01", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and phrase in err, err
    assert list(tmp_path.iterdir()) == []


SESSION_BAD = [
    (["--session", "none.json"], "cannot read"),
    (["--session", "garbage.json"], "garbage.json"),
    (["--session", "good.json", "--run", "adam"], "leave out --run"),
    (["rosenbrock", "--session", "good.json"], "leave out SURFACE"),
    (["--out-missing"], "required"),
    ([], "name a built-in SURFACE"),
    (["--expr", "x^^2", "--vars", "x,y"], "bad expression"),
    (["rosenbrock", "--view", "loss"], "at least one --run"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "phrase"), SESSION_BAD)
def test_bad_sessions_and_surfaces_exit_2_with_one_line(tmp_path, capsys, monkeypatch, extra,
                                                        phrase):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "garbage.json").write_text('{"saddlelab_session": 1, "surface": [')
    assert main(["render", "booth", "--run", "adam", "--steps", "5", "--out", "g.png",
                 "--save-session", "good.json"]) == 0  # fmt: skip
    capsys.readouterr()
    before = sorted(p.name for p in tmp_path.iterdir())
    args = ["render", *extra] + ([] if "--out-missing" in extra else ["--out", "x.png"])
    args = [a for a in args if a != "--out-missing"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and phrase in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
