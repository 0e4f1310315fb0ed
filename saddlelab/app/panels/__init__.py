"""Widgets and editors: surface picker, runs, run editor, analysis, critical points."""
