"""The sub-commands of the CLI, one module each, and their shared helpers (``common``)."""
