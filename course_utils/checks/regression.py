"""Exercises of the t-tests-as-regressions notebook."""

from __future__ import annotations

__all__: list[str] = []
