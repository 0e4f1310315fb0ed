"""The contour animation and the GIF/MP4 encoder, read back with imageio: frame counts and
sizes (even for MP4), the first frame shows only the starts and the last the whole
trajectories, frame times in GIF's 10 ms units, one clear line without ffmpeg, and Cancel
leaves no file."""

from __future__ import annotations

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest
from export_helpers import along, share_on_path
from PIL import Image

from saddlelab.export import encode
from saddlelab.export.encode import gif_delays, write_frames
from saddlelab.export.movie import ContourMovie, frame_steps, write_contour_movie
from saddlelab.export.options import Cancelled, ExportError, ExportOptions
from saddlelab.export.scene import snapshot


def mp4_frames(path) -> list[np.ndarray]:
    with iio2.get_reader(path, format="FFMPEG") as reader:
        return [frame for frame in reader]


def gif_frames(path) -> np.ndarray:
    return iio.imread(path, index=None, mode="RGB")


def test_gif_has_every_frame_at_the_size_asked(lecture, tmp_path):
    options = ExportOptions(fps=10, duration=1.2, size_px=(321, 201))
    path = write_contour_movie(lecture, tmp_path / "m.gif", options)
    frames = gif_frames(path)
    assert frames.shape == (12, 201, 321, 3)
    image = Image.open(path)
    assert image.info["duration"] == 100 and image.n_frames == 12
    assert [p.name for p in tmp_path.iterdir()] == ["m.gif"]


def test_mp4_has_every_frame_with_odd_sides_padded_to_even(lecture, tmp_path):
    options = ExportOptions(fps=12, duration=1.0, size_px=(321, 201), theme="dark")
    frames = mp4_frames(write_contour_movie(lecture, tmp_path / "m.mp4", options))
    assert len(frames) == 12
    assert frames[0].shape == (202, 322, 3)


@pytest.mark.parametrize("suffix", ["gif", "mp4"])
def test_first_frame_shows_the_starts_and_the_last_the_whole_trajectories(
    lecture, tmp_path, suffix
):
    options = ExportOptions(fps=10, duration=1.0, size_px=(640, 420))
    path = write_contour_movie(lecture, tmp_path / f"m.{suffix}", options)
    frames = gif_frames(path) if suffix == "gif" else mp4_frames(path)
    movie = ContourMovie(snapshot(lecture), options)  # the same layout: its axes transform
    for run in lecture.runs:
        middle = along(run.trajectory.points, 0.3, 0.9)
        start = run.trajectory.points[:1]
        assert share_on_path(frames[0], movie.ax, start, run.colour) == 1.0, run.title
        assert share_on_path(frames[0], movie.ax, middle, run.colour) <= 0.2, run.title
        assert share_on_path(frames[-1], movie.ax, middle, run.colour) >= 0.8, run.title


def test_a_blitted_frame_is_the_figure_fully_redrawn(lecture):
    options = ExportOptions(size_px=(480, 320))
    movie = ContourMovie(snapshot(lecture), options)
    step = movie.max_step // 2
    blitted = movie.frame(step)
    for line in movie.ax.lines + movie.ax.texts:
        line.set_animated(False)
    movie.fig.canvas.draw()
    redrawn = np.asarray(movie.fig.canvas.buffer_rgba())[:, :, :3]
    assert blitted.shape == redrawn.shape == (320, 480, 3)
    assert (np.abs(blitted.astype(int) - redrawn).max(axis=-1) > 8).mean() < 0.002


def test_frames_share_one_step_axis_from_zero_to_the_longest_run():
    steps = frame_steps(311, 10)
    assert steps[0] == 0 and steps[-1] == 311 and (np.diff(steps) > 0).all()


@pytest.mark.parametrize("suffix", ["gif", "mp4"])
@pytest.mark.parametrize("stop_at", [0, 5])
def test_cancel_leaves_no_file(lecture, tmp_path, suffix, stop_at):
    options = ExportOptions(fps=10, duration=1.0, size_px=(200, 120))
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return done < stop_at

    with pytest.raises(Cancelled):
        write_contour_movie(lecture, tmp_path / f"m.{suffix}", options, progress)
    assert not list(tmp_path.iterdir())
    assert seen[-1] == (stop_at, 10)


def solid_frames(count, size=(30, 41), colours=((255, 255, 255), (20, 30, 200))):
    for i in range(count):
        frame = np.zeros((*size, 3), np.uint8)
        frame[:] = colours[0]
        frame[: 1 + i % size[0], :5] = colours[1]
        yield frame


def test_gif_times_frames_in_10_ms_units_exact_in_the_mean(tmp_path):
    assert [d for _, d in gif_delays(30, 6)] == [3, 4, 3, 3, 4, 3]
    path = write_frames(solid_frames(30), tmp_path / "a.gif", fps=30, count=30)
    image = Image.open(path)
    durations = []
    for i in range(image.n_frames):
        image.seek(i)
        durations.append(image.info["duration"])
    assert image.n_frames == 30 and sum(durations) == 1000
    assert set(durations) == {30, 40}


def test_gif_above_50_fps_drops_frames_shorter_than_20_ms(tmp_path):
    kept = gif_delays(60, 60)
    assert all(d >= 2 for _, d in kept) and sum(d for _, d in kept) == 100
    path = write_frames(solid_frames(60), tmp_path / "b.gif", fps=60, count=60)
    assert Image.open(path).n_frames == len(kept) < 60


def test_gif_keeps_flat_colours_exact(tmp_path):
    path = write_frames(solid_frames(8), tmp_path / "c.gif", fps=8, count=8)
    frames = gif_frames(path)
    assert (frames[:, -1, -1] == 255).all()  # white stays white in every frame
    assert tuple(frames[3, 0, 0]) == (20, 30, 200)


def test_mp4_pads_odd_sides_by_repeating_the_edge():
    frame = np.arange(3 * 5 * 3, dtype=np.uint8).reshape(3, 5, 3)
    padded = encode.even(frame)
    assert padded.shape == (4, 6, 3)
    assert (padded[:3, :5] == frame).all() and (padded[3, :5] == frame[2]).all()


def test_bad_frames_and_formats_are_one_clear_error(tmp_path):
    with pytest.raises(ExportError, match="an animation is gif or mp4, not png"):
        write_frames(solid_frames(2), tmp_path / "a.png", fps=10, count=2)
    with pytest.raises(ExportError, match="same size"):
        frames = [np.zeros((10, 10, 3), np.uint8), np.zeros((12, 10, 3), np.uint8)]
        write_frames(frames, tmp_path / "a.gif", fps=10, count=2)
    with pytest.raises(ExportError, match="ended after 2 of 5 frames"):
        write_frames(solid_frames(2), tmp_path / "a.mp4", fps=10, count=5)
    assert not list(tmp_path.iterdir())


def test_missing_ffmpeg_is_one_line(tmp_path, monkeypatch):
    import imageio_ffmpeg

    def missing():
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    with pytest.raises(ExportError) as error:
        write_frames(solid_frames(2), tmp_path / "a.mp4", fps=10, count=2)
    assert "no ffmpeg found" in str(error.value) and "\n" not in str(error.value)
    assert not list(tmp_path.iterdir())
