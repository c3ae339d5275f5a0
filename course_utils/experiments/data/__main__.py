"""``python -m course_utils.experiments.data``: the ``course-data`` command (see ``_cli``)."""

from course_utils.experiments.data._cli import main

raise SystemExit(main())
