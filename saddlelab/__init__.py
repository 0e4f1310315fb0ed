"""SaddleLab: see why neural-network training gets stuck."""

from __future__ import annotations

__version__ = "0.1.0"
