"""``python -m course_utils.config``: see :mod:`course_utils.config.cli`."""

from course_utils.config.cli import main

raise SystemExit(main())
