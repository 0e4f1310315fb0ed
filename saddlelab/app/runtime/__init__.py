"""Threads and pacing: the stepping worker, its controller, the critical-point search, and
the frame scheduler."""
