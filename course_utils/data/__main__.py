"""``python -m course_utils.data``: see :mod:`course_utils.data.cli`."""

from course_utils.data.cli import main

raise SystemExit(main())
