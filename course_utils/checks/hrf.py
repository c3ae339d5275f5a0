"""Exercises of the HRF notebook (from an event to a voxel's time series)."""

from __future__ import annotations

__all__: list[str] = []
