"""``course-data``: see :mod:`course_utils.experiments.data.cli`."""

from course_utils.experiments.data.cli import main

raise SystemExit(main())
