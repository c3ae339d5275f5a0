"""The notebook runner and the site's offline check catch what they are meant to catch."""

from pathlib import Path

import pytest

from tools import check_site_offline, editions, mutations, run_notebooks

REPO = Path(__file__).resolve().parent.parent

NOTEBOOK = """---
jupytext:
  formats: ipynb,md:myst
kernelspec:
  display_name: Python 3
  language: python
  name: {kernel}
course:
  budget_seconds: 45
---

# A test notebook

```{{code-cell}} ipython3
x = 1 + 1
{body}
```
"""


# The front matter of a minimal course notebook (the fixtures below add their cells).
FRONT_MATTER = """---
jupytext:
  formats: ipynb,md:myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _site(tmp_path, html):
    site = tmp_path / "html"
    (site / "_static").mkdir(parents=True)
    (site / "_static" / "ok.js").write_text("")
    (site / "index.html").write_text(html)
    return site


def test_offline_check_passes_local_resources_and_plain_links(tmp_path):
    site = _site(
        tmp_path,
        '<script src="_static/ok.js"></script><a href="https://example.org">a link is fine</a>',
    )
    assert check_site_offline.check(site) == []


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>',
        '<link rel="stylesheet" href="//fonts.example.com/a.css">',
        '<img src="http://example.org/a.png">',
    ],
)
def test_offline_check_flags_external_resources(tmp_path, tag):
    problems = check_site_offline.check(_site(tmp_path, tag))
    assert len(problems) == 1 and "external resource" in problems[0]


def test_offline_check_flags_missing_images_and_css_imports(tmp_path):
    site = _site(tmp_path, '<img src="_images/missing.png">')
    (site / "_static" / "a.css").write_text("@import 'https://fonts.example.com/x.css';")
    problems = check_site_offline.check(site)
    assert any("missing from the build" in p for p in problems)
    assert any("a.css" in p for p in problems)


def test_runner_reads_budget_and_rejects_other_kernels(tmp_path):
    source = tmp_path / "01_demo.md"
    source.write_text(NOTEBOOK.format(kernel="python3", body="assert x == 2"))
    ipynb, budget = run_notebooks.convert(source, tmp_path)
    assert ipynb.suffix == ".ipynb" and budget == 45
    source.write_text(NOTEBOOK.format(kernel="conda-env-course", body=""))
    with pytest.raises(SystemExit, match="must be 'python3'"):
        run_notebooks.convert(source, tmp_path)


def test_runner_fails_a_notebook_that_raises_and_measures_the_kernel(tmp_path):
    good = tmp_path / "01_good.md"
    # Hold the memory for a while: the runner samples every 50 ms.
    good.write_text(
        NOTEBOOK.format(
            kernel="python3", body='big = b"\\x01" * (200 * 2**20)\nimport time; time.sleep(0.5)'
        )
    )
    bad = tmp_path / "02_bad.md"
    bad.write_text(NOTEBOOK.format(kernel="python3", body="assert x == 3, 'wrong sum'"))
    out = tmp_path / "budget.md"
    assert run_notebooks.main([str(good), "--out", str(out)]) == 0
    table = out.read_text()
    row = next(line for line in table.splitlines() if line.startswith("| 01_good"))
    peak = float(row.split("|")[3])
    assert peak > 200, "the 200 MiB the kernel allocated must show in its peak memory"
    assert run_notebooks.main([str(bad)]) == 1
    assert run_notebooks.main([str(good), "--memory-budget", "100"]) == 1


EXERCISE = (
    FRONT_MATTER
    + """
# Exercise

```{{code-cell}} ipython3
from course_utils.teaching.checks import start_here
q = start_here.standard_error_exercise([1.0, 2.0, 3.0])
```

```{{code-cell}} ipython3
:tags: [exercise-stub]

_, sem = "the notebook may use _ itself", {stub}
```

```{{code-cell}} ipython3
:tags: [check]

q.check(sem)
```

```{{code-cell}} ipython3
:tags: [solution, hide-cell]

sem = 1 / 3 ** 0.5
q.assert_correct(sem)
```
"""
)


VERIFIED = (
    FRONT_MATTER
    + """
# Checked

```{code-cell} ipython3
total = 40 + 2
print("the total is", total)
```

```{code-cell} ipython3
---
tags: [verify]
jupyter:
  source_hidden: true
---
assert total == 42, "the sum is wrong"
```
"""
)


def test_executed_copies_carry_the_runs_outputs_and_only_of_passing_runs(tmp_path):
    source = tmp_path / "01_checked.md"
    source.write_text(VERIFIED)
    executed = tmp_path / "executed"
    assert run_notebooks.main([str(source), "--executed", str(executed)]) == 0
    import nbformat

    ran = nbformat.read(executed / "01_checked.ipynb", as_version=4)
    assert ran.cells[1].outputs[0]["text"] == "the total is 42\n"
    assert ran.cells[1].execution_count == 1 and ran.cells[2].execution_count == 2
    # as in JupyterLab, a trailing ';' hides a cell's value (nbval alone runs without history,
    # and IPython then printed reprs such as <Axes: ...> into the executed copies)
    quiet = tmp_path / "02_quiet.md"
    quiet.write_text(
        FRONT_MATTER + "\n```{code-cell} ipython3\nx = [1]\nlen(x);\n```\n\n"
        "```{code-cell} ipython3\nlen(x)\n```\n"
    )
    assert run_notebooks.main([str(quiet), "--executed", str(executed)]) == 0
    cells = nbformat.read(executed / "02_quiet.ipynb", as_version=4).cells
    assert cells[0].outputs == [] and cells[1].outputs[0]["data"]["text/plain"] == "1"
    assert run_notebooks.is_fresh(source, executed / "01_checked.ipynb")
    # a fresh copy is reused, a changed notebook is not; a failing run leaves no copy
    assert run_notebooks.main([str(source), "--executed", str(executed), "--reuse"]) == 0
    source.write_text(VERIFIED.replace("40 + 2", "40 + 3"))
    assert not run_notebooks.is_fresh(source, executed / "01_checked.ipynb")
    assert run_notebooks.main([str(source), "--executed", str(executed), "--reuse"]) == 1
    assert not (executed / "01_checked.ipynb").exists()


def test_one_converted_notebook_runs_twice_as_make_bench_runs_it(tmp_path):
    source = tmp_path / "01_checked.md"
    source.write_text(VERIFIED)
    ipynb, budget = run_notebooks.convert(source, tmp_path)
    env = dict(__import__("os").environ, MPLBACKEND=run_notebooks.INLINE_BACKEND)
    first = run_notebooks.run_one(ipynb, budget, 1024, env)
    second = run_notebooks.run_one(ipynb, budget, 1024, env)
    assert first.passed and second.passed, second.log


def test_editions_hide_checks_from_students_and_fold_them_for_instructors(tmp_path):
    import jupytext

    notebook = jupytext.reads(VERIFIED, fmt="md:myst")
    student = editions.student_edition(notebook)
    assert [c.source for c in student.cells if c.cell_type == "code"] == [notebook.cells[1].source]
    shown = editions.instructor_edition(notebook)
    check = shown.cells[2]
    assert "hide-cell" in check.metadata["tags"] and "verify" in check.metadata["tags"]
    assert check.metadata["mystnb"]["code_prompt_show"] == "show the check"
    # the leak check finds a check's line in a student page
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_checked.md").write_text(VERIFIED)
    site = _site_with(tmp_path, '<pre>assert total == 42, "the sum is wrong"</pre>')
    problems = editions.check_student_site(site, folder, None)
    assert len(problems) == 1 and "verify cell" in problems[0]


def test_instructor_sources_take_the_test_runs_outputs_into_myst_nbs_cache(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "01_checked.md").write_text(VERIFIED)
    (folder / "index.md").write_text("# Home\n")
    executed = tmp_path / "executed"
    assert run_notebooks.main([str(folder / "01_checked.md"), "--executed", str(executed)]) == 0
    out, cache = tmp_path / "src", tmp_path / "cache"
    editions.write_instructor_sources(executed, out, cache, folder)
    assert (out / "index.md").exists() and "show the check" in (out / "01_checked.md").read_text()
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    store = get_cache(str(cache))
    page = read_myst_markdown_notebook((out / "01_checked.md").read_text())
    record = store.match_cache_notebook(page)  # what myst-nb looks up: found, not executed
    cached = store.get_cache_bundle(record.pk).nb
    assert cached.cells[0].outputs[0]["text"] == "the total is 42\n"
    # an executed copy of other code is refused, never shown
    (folder / "01_checked.md").write_text(VERIFIED.replace("40 + 2", "40 + 3"))
    with pytest.raises(SystemExit, match="does not hold the notebook's current code"):
        editions.write_instructor_sources(executed, out, cache, folder)


def test_ci_runs_exactly_the_parts_of_make_test():
    import re

    makefile = (REPO / "Makefile").read_text()
    parts = re.search(r"^test: (.+)$", makefile, re.M).group(1).split()
    ci = (REPO / ".ci" / "run").read_text()
    steps = re.findall(r'^step "make test: [^"]+" make (\S+)', ci, re.M)
    assert steps == parts


def test_student_run_removes_solutions_and_requires_not_attempted(tmp_path):
    good = tmp_path / "01_exercise.md"
    good.write_text(EXERCISE.format(stub="..."))
    ipynb, _ = run_notebooks.convert(good, tmp_path, student=True)
    text = ipynb.read_text()
    assert "assert_correct" not in text and "not attempted" in text
    assert run_notebooks.main([str(good)]) == 0
    assert run_notebooks.main([str(good), "--student"]) == 0
    # A stub that is not a placeholder gets judged: the student run must catch it.
    judged = tmp_path / "02_exercise.md"
    judged.write_text(EXERCISE.format(stub="0.5"))
    assert run_notebooks.main([str(judged), "--student"]) == 1


def test_the_mutation_files_load_and_name_existing_notebooks(tmp_path):
    found = mutations.load()
    assert found and all(m.why.strip() and m.code.strip() for m in found)
    topics = mutations.notebooks_by_topic()
    assert {m.topic for m in found} <= set(topics)
    assert mutations.topic_of(Path("01_hrf_simulation.md")) == "hrf_simulation"
    first = found[0]
    copy, tags = mutations.mutated_copy(topics[first.topic], first, tmp_path)
    import jupytext

    cells = jupytext.read(copy).cells
    assert cells[0].source.startswith(mutations.HEADER) and first.code.strip() in cells[0].source
    assert len(tags) == sum(c.cell_type == "code" for c in cells) and tags[0] == set()
    log = "FAILED nb.ipynb::Cell 7 - Notebook cell execution failed\n"
    assert mutations.first_failure(log) == "Cell 7"


def test_a_mutation_counts_as_caught_only_when_a_check_fails():
    tags = [set(), set(), {"verify"}, {"solution", "hide-cell"}]
    failed_in = "FAILED nb.ipynb::Cell {} - Notebook cell execution failed\n{}"
    verdict = mutations.verdict
    assert verdict(True, "", tags)[0] == "missed"
    assert verdict(False, failed_in.format(0, "NameError"), tags)[0] == "broken"
    assert verdict(False, failed_in.format(2, "ValueError: x"), tags)[0] == "caught"
    # nbval prints the traceback with colours: the AssertionError of a solution's assert_correct
    coloured = "\x1b[0;31mAssertionError\x1b[0m: incorrect"
    assert verdict(False, failed_in.format(3, coloured), tags)[0] == "caught"
    # a lesson cell that fails because the patch renamed a helper has caught nothing
    outcome, where = verdict(False, failed_in.format(1, "AttributeError: no _helper"), tags)
    assert outcome == "outside a check" and where == "Cell 1"


def test_only_a_kernel_that_never_started_is_run_again():
    failed_in = "FAILED nb.ipynb::Cell {} - {}\n"
    no_kernel = failed_in.format(0, "RuntimeError: Kernel didn't respond in 60 seconds")
    assert mutations.kernel_never_started(False, no_kernel)
    assert not mutations.kernel_never_started(True, no_kernel)
    assert not mutations.kernel_never_started(False, failed_in.format(0, "NameError: np"))
    late = failed_in.format(5, "RuntimeError: Kernel didn't respond in 60 seconds")
    assert not mutations.kernel_never_started(False, late)  # a notebook's own hang counts


LEAKY_NOTEBOOK = (
    FRONT_MATTER
    + """
# Exercise

```{code-cell} ipython3
q = checks.Exercise("se", check_se, hint="the variances add",
                    solution="se_difference = np.sqrt(1 / n_men + 1 / n_women)")
```

```{code-cell} ipython3
:tags: [exercise-stub]

answer = ...
```

```{code-cell} ipython3
:tags: [solution, hide-cell]

answer = secret_helper(betas, ddof=1) / np.sqrt(n)
q.assert_correct(answer)
```
"""
)


def _leaky_course(tmp_path, hint="Divide the standard deviation by the square root of n."):
    folder = tmp_path / "notebooks"
    folder.mkdir(parents=True)
    (folder / "01_leaky.md").write_text(LEAKY_NOTEBOOK)
    package = tmp_path / "course_utils"
    (package / "checks").mkdir(parents=True)
    (package / "checks" / "demo.py").write_text(f"HINT = {hint!r}\n")
    return folder, package


def _site_with(tmp_path, html):
    site = tmp_path / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "page.html").write_text(html)
    return site


def test_leak_check_finds_planted_solution_lines_and_solution_strings(tmp_path):
    folder, package = _leaky_course(tmp_path)
    assert (
        editions.check_student_site(_site_with(tmp_path, "<p>answer = ...</p>"), folder, package)
        == []
    )
    # a solution cell's line, HTML-highlighted in a page
    site = _site_with(
        tmp_path, '<span class="n">answer</span> = secret_helper(betas, ddof=1) / np.sqrt(n)'
    )
    problems = editions.check_student_site(site, folder, package)
    assert problems == [
        "page.html: solution line from 01_leaky.md: "
        "answer = secret_helper(betas, ddof=1) / np.sqrt(n)"
    ]
    # a solution= string, wherever it shows
    site = _site_with(tmp_path, "<pre>se_difference = np.sqrt(1 / n_men + 1 / n_women)</pre>")
    problems = editions.check_student_site(site, folder, package)
    assert len(problems) == 1 and "solution= string from 01_leaky.md" in problems[0]
    # the student sources strip the solution cell but keep the cell that passes solution=
    out = tmp_path / "student_src"
    editions.write_student_sources(out, folder)
    problems = editions.check_student_site(out, folder, package)
    assert problems and all("solution= string" in p for p in problems)


def test_leak_check_flags_a_printable_string_that_holds_a_solution_line(tmp_path):
    folder, package = _leaky_course(
        tmp_path, hint="Try: answer = secret_helper(betas, ddof=1) / np.sqrt(n)"
    )
    problems = editions.check_printable_strings(folder, package, package / "checks")
    assert len(problems) == 1 and "demo.py" in problems[0] and "secret_helper" in problems[0]
    folder, package = _leaky_course(tmp_path / "clean")
    assert editions.check_printable_strings(folder, package, package / "checks") == []


def test_leak_check_commands_fail_on_a_planted_leak(tmp_path, capsys):
    folder, package = _leaky_course(tmp_path)
    where = ["--notebooks", str(folder), "--package", str(package)]
    clean = _site_with(tmp_path, "<p>nothing to see</p>")
    assert editions.main(["check-student", str(clean), *where]) == 0
    leaky = _site_with(
        tmp_path / "leaky", "<p>answer = secret_helper(betas, ddof=1) / np.sqrt(n)</p>"
    )
    assert editions.main(["check-student", str(leaky), *where]) == 1
    assert "leak(s) of an answer" in capsys.readouterr().out
    # the student notebooks keep the visible solution= string: writing them fails
    assert editions.main(["student-notebooks", str(tmp_path / "nb"), *where]) == 1


def test_bench_keeps_numbas_cache_and_the_data_under_build(monkeypatch):
    from tools import bench

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    env = bench.bench_env({"COURSE_DATA_DIR": "/chosen"})
    assert env["NUMBA_CACHE_DIR"] == str(REPO / "_build" / "numba_cache")
    assert env["COURSE_DATA_DIR"] == "/chosen" and env["OMP_NUM_THREADS"] == "1"


def test_tools_run_as_modules_and_as_scripts():
    import subprocess
    import sys

    for command in (["-m", "tools.mutations", "--help"], ["tools/mutations.py", "--help"]):
        done = subprocess.run(
            [sys.executable, *command], cwd=REPO, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
