"""Exercises of the two-levels-of-variance notebook."""

from __future__ import annotations

__all__: list[str] = []
