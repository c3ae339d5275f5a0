"""course_utils.config.environment: installed versions against the pinned ones."""

from course_utils.config import environment


def test_check_environment_reports_missing_and_pinned_packages():
    report = environment.check_environment(("numpy", "surely-not-a-package")).set_index("package")
    assert report.loc["surely-not-a-package", "status"] == "missing"
    # Running from the repository: the lock file is found and numpy is pinned in it.
    assert environment.find_lock_file() is not None
    assert report.loc["numpy", "tested"] is not None


def test_pinned_versions_read_exact_pins_by_normalised_name(tmp_path):
    lock = tmp_path / "constraints.txt"
    lock.write_text(
        "# comment\nNumPy==2.1.0\nsphinx_book.theme==1.1.3 ; python_version>'3'\nx>=1\n"
    )
    assert environment.pinned_versions(lock) == {"numpy": "2.1.0", "sphinx-book-theme": "1.1.3"}


def test_lock_file_is_the_repositorys_constraints(repo):
    assert environment.find_lock_file() == repo / "constraints.txt"


def test_core_packages_cover_every_runtime_dependency():
    import re
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    needed = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    names = {environment.normalise_name(re.split(r"[<>=!~;\[ ]", d)[0]) for d in needed}
    reported = {environment.normalise_name(p) for p in environment.CORE_PACKAGES}
    assert names <= reported, f"check_environment misses {sorted(names - reported)}"
