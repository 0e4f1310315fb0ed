"""Frames to GIF or MP4, with the formats' known traps handled.

``write_frames(frames, path, fps, count)`` takes ``count`` RGB(A) uint8 frames of one size
(the contour animation's and the 3-D view's) and writes the format of the path's suffix:

- **MP4**: H.264 (libx264) in yuv420p, which every player reads. yuv420p halves the colour
  resolution, so H.264 needs even widths and heights: an odd side is **padded** by one pixel
  that repeats the last row or column (nothing is cropped away; a 1279-pixel-wide frame becomes
  1280). ``-crf 18`` with ``-tune animation`` keeps thin lines and flat colour areas clean.
  imageio-ffmpeg's wheel carries its own ffmpeg; without one the export stops with one line.
- **GIF**: 256 colours per frame. One adaptive palette (median cut, no dithering, so flat
  backgrounds stay flat) is built from the first frame and used by every frame; a frame that it
  serves badly (new colours, e.g. a camera turned) gets a palette of its own. GIF times frames
  in 10 ms units and players slow any delay under 20 ms down, so frame ``i`` starts at
  ``round(100 * i / fps)`` hundredths: 30 fps alternates 3, 3 and 4 hundredths (exact in the
  mean, the duration kept); above 50 fps frames that would last under 20 ms are dropped.
  Pillow merges a frame identical to the one before into it (their times add up).

Alpha is dropped (both formats are opaque here). ``progress(done, count)`` is called per frame;
False stops with :class:`Cancelled`, and a cancelled or failed export leaves no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .atomic import replacing
from .options import MOVIE_FORMATS, Cancelled, ExportError, Progress, format_of

GIF_MIN_DELAY = 2
"""Hundredths of a second: shorter GIF delays are slowed down by browsers."""
PALETTE_ERROR = 8.0
"""Mean colour error (0-255) above which a GIF frame gets its own palette."""
CRF = "18"


def even(frame: np.ndarray) -> np.ndarray:
    """The frame with an odd height or width padded by one repeated row or column."""
    h, w = frame.shape[:2]
    if h % 2 or w % 2:
        frame = np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    return frame


def rgb(frame: np.ndarray) -> np.ndarray:
    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ExportError("a frame must be an H x W x 3 (or 4) array of bytes")
    return np.ascontiguousarray(frame[:, :, :3])


def gif_delays(fps: int, count: int) -> list[tuple[int, int]]:
    """(frame index, delay in hundredths) of the frames a GIF keeps (see the module doc)."""
    starts = [round(100 * i / fps) for i in range(count + 1)]
    kept: list[tuple[int, int]] = []
    for i in range(count):
        if kept and starts[i] - starts[kept[-1][0]] < GIF_MIN_DELAY:
            continue  # above 50 fps: shown for under 20 ms, dropped
        kept.append((i, 0))
    return [
        (i, starts[kept[k + 1][0] if k + 1 < len(kept) else count] - starts[i])
        for k, (i, _) in enumerate(kept)
    ]


def write_frames(
    frames: Iterable[np.ndarray],
    path: str | Path,
    fps: int,
    count: int,
    progress: Progress | None = None,
) -> Path:
    """Write ``count`` frames as a GIF or MP4 at ``fps``; returns the path."""
    path = Path(path)
    kind = format_of(path)
    if kind not in MOVIE_FORMATS:
        raise ExportError(f"an animation is {' or '.join(MOVIE_FORMATS)}, not {kind}")
    if count < 1:
        raise ExportError("an animation needs at least one frame")
    go = progress or (lambda done, total: True)
    try:
        with replacing(path) as temp:
            writer = _mp4 if kind == "mp4" else _gif
            written = writer(iter(frames), temp, int(fps), int(count), go)
            if written < count:
                raise ExportError(f"the animation ended after {written} of {count} frames")
    except OSError as error:
        raise ExportError(f"cannot write {path.name}: {error.strerror or error}") from None
    return path


def _frames(frames, count: int, go: Progress):
    """The first ``count`` frames as RGB, checking progress before each one."""
    size = None
    for i in range(count):
        if not go(i, count):
            raise Cancelled
        frame = next(frames, None)
        if frame is None:
            return
        frame = rgb(frame)
        if size is None:
            size = frame.shape
        elif frame.shape != size:
            raise ExportError("every frame of an animation must have the same size")
        yield frame
    go(count, count)


def ffmpeg_exe() -> str:
    """The ffmpeg imageio-ffmpeg uses, or ExportError saying how to get one."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise ExportError(
            "cannot write MP4: no ffmpeg found (pip install imageio-ffmpeg, "
            "or set IMAGEIO_FFMPEG_EXE to an ffmpeg program)"
        ) from None


def _mp4(frames, temp: Path, fps: int, count: int, go: Progress) -> int:
    ffmpeg_exe()
    import imageio_ffmpeg

    written, writer = 0, None
    try:
        for frame in _frames(frames, count, go):
            frame = even(frame)
            if writer is None:
                writer = imageio_ffmpeg.write_frames(
                    str(temp),
                    (frame.shape[1], frame.shape[0]),
                    fps=fps,
                    codec="libx264",
                    pix_fmt_out="yuv420p",
                    quality=None,
                    macro_block_size=1,
                    output_params=["-crf", CRF, "-tune", "animation", "-movflags", "+faststart",
                                   "-f", "mp4"],
                )  # fmt: skip
                writer.send(None)
            writer.send(frame)
            written += 1
    finally:
        if writer is not None:
            writer.close()
    return written


class GifPalette:
    """One adaptive palette and an exact nearest-colour map onto it (Pillow's own mapping onto
    a given palette is approximate: it turns pure white into 252 grey)."""

    def __init__(self, frame: np.ndarray) -> None:
        from PIL import Image

        image = Image.fromarray(frame)
        quantized = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=0)
        entries = np.asarray(quantized.getpalette()[: 3 * 256], dtype=np.uint8).reshape(-1, 3)
        self.colours = entries
        self._lut = np.full(1 << 24, -1, dtype=np.int16)

    def map(self, frame: np.ndarray) -> tuple[np.ndarray, float]:
        """(palette indices H x W, mean colour error) of an RGB frame."""
        packed = (frame[..., 0].astype(np.int32) << 16) | (frame[..., 1].astype(np.int32) << 8)
        packed |= frame[..., 2]
        index = self._lut[packed]
        missing = index < 0
        if missing.any():
            new = np.unique(packed[missing])
            rgb_new = np.stack([(new >> 16) & 255, (new >> 8) & 255, new & 255], axis=1)
            diff = rgb_new[:, None, :].astype(np.int32) - self.colours[None, :, :]
            self._lut[new] = np.argmin((diff * diff).sum(axis=2), axis=1)
            index = self._lut[packed]
        index = index.astype(np.uint8)
        error = float(np.abs(self.colours[index].astype(np.int16) - frame).mean())
        return index, error

    def image(self, index: np.ndarray):
        from PIL import Image

        image = Image.fromarray(index, mode="P")
        image.putpalette(self.colours.tobytes())
        return image


def _gif_image(frame: np.ndarray, palette: GifPalette | None):
    """The frame as a palette image, and the palette the next frames share."""
    if palette is not None:
        index, error = palette.map(frame)
        if error <= PALETTE_ERROR:
            return palette.image(index), palette
    own = GifPalette(frame)
    return own.image(own.map(frame)[0]), (own if palette is None else palette)


def _gif(frames, temp: Path, fps: int, count: int, go: Progress) -> int:
    keep = dict(gif_delays(fps, count))
    images, palette, written = [], None, 0
    for i, frame in enumerate(_frames(frames, count, go)):
        written += 1
        if i not in keep:
            continue
        mapped, palette = _gif_image(frame, palette)
        images.append(mapped)
    if not images:
        return written
    durations = [10 * keep[i] for i in sorted(keep)][: len(images)]
    images[0].save(
        temp,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        optimize=False,
        disposal=1,
    )
    return written
