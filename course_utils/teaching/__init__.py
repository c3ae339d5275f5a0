"""Layer 4, teaching: what the notebooks show and how they answer the student.

- :mod:`~course_utils.teaching.plotting`: the course figure style and shared figures.
- :mod:`~course_utils.teaching.checks`: feedback on exercises (not attempted / incorrect and
  why / correct).

The top layer: it may import every other layer, and none imports it.
"""
