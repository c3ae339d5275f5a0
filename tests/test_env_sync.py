"""environment.yml (hub/Binder), pyproject.toml and constraints.txt must name the same packages
at the same major.minor versions, so the hub runs what CI tested."""

import re
import tomllib

import pytest
import yaml

NOT_PACKAGES = {"python", "pip"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_dependencies(text: str) -> set[str]:
    project = tomllib.loads(text)["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    names = {_norm(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0]) for spec in specs}
    names.discard(_norm(project["name"]))  # the "dev" extra refers to the package itself
    return names


def environment_dependencies(text: str) -> dict[str, str | None]:
    """Package name -> pinned version (None when unpinned) from an environment.yml."""
    deps: dict[str, str | None] = {}
    for item in yaml.safe_load(text)["dependencies"]:
        if isinstance(item, dict):
            for spec in item.get("pip", []):
                if spec.startswith("-e"):
                    continue
                name, _, ver = spec.partition("==")
                deps[_norm(name)] = ver or None
        else:
            name, _, ver = item.partition("=")
            deps[_norm(name)] = ver.lstrip("=") or None
    return {k: v for k, v in deps.items() if k not in NOT_PACKAGES}


def lock_versions(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            pins[_norm(match.group(1))] = match.group(2)
    return pins


def _major_minor(ver: str) -> str:
    return ".".join(ver.split(".")[:2])


def sync_problems(pyproject: str, environment: str, lock: str) -> list[str]:
    wanted = pyproject_dependencies(pyproject)
    env = environment_dependencies(environment)
    pins = lock_versions(lock)
    problems = []
    for name in sorted(wanted - env.keys()):
        problems.append(f"{name} is in pyproject.toml but not in environment.yml")
    for name in sorted(env.keys() - wanted):
        problems.append(f"{name} is in environment.yml but not in pyproject.toml")
    for name in sorted(wanted - pins.keys()):
        problems.append(f"{name} is in pyproject.toml but not pinned in constraints.txt")
    for name, ver in sorted(env.items()):
        if name not in pins:
            continue
        if ver is None:
            problems.append(f"{name} has no version in environment.yml (lock: {pins[name]})")
        elif _major_minor(ver) != _major_minor(pins[name]):
            problems.append(f"{name}: environment.yml has {ver}, constraints.txt {pins[name]}")
    return problems


@pytest.fixture
def files(repo):
    return {
        name: (repo / name).read_text()
        for name in ("pyproject.toml", "environment.yml", "constraints.txt")
    }


def test_files_agree(files):
    assert (
        sync_problems(files["pyproject.toml"], files["environment.yml"], files["constraints.txt"])
        == []
    )


def test_environment_installs_the_course_package(files):
    pip = [
        item
        for item in yaml.safe_load(files["environment.yml"])["dependencies"]
        if isinstance(item, dict)
    ]
    assert pip and "-e ." in pip[0]["pip"]
    assert "python=3.11" in yaml.safe_load(files["environment.yml"])["dependencies"]


@pytest.mark.parametrize("package", ["nilearn", "pooch", "sphinx-mathjax-offline"])
def test_removing_a_dependency_from_environment_is_caught(files, package):
    lines = [
        line
        for line in files["environment.yml"].splitlines()
        if not re.search(rf"-\s+{package}[=\s]", line + " ")
    ]
    assert len(lines) < len(files["environment.yml"].splitlines())
    problems = sync_problems(files["pyproject.toml"], "\n".join(lines), files["constraints.txt"])
    assert any(package in p and "not in environment.yml" in p for p in problems)


@pytest.mark.parametrize("package", ["nilearn", "statsmodels", "myst-nb"])
def test_removing_a_dependency_from_pyproject_is_caught(files, package):
    # the package's requirement, with its version bounds and comment if any
    spec = rf'"{re.escape(package)}(?:[<>=!~][^"]*)?",?[ \t]*(?:#[^\n]*)?'
    text = re.sub(spec, "", files["pyproject.toml"])
    assert text != files["pyproject.toml"]
    problems = sync_problems(text, files["environment.yml"], files["constraints.txt"])
    assert any(package in p and "not in pyproject.toml" in p for p in problems)


def test_a_minor_version_mismatch_is_caught(files):
    text = files["environment.yml"].replace("nilearn=0.14", "nilearn=0.13")
    problems = sync_problems(files["pyproject.toml"], text, files["constraints.txt"])
    assert problems == ["nilearn: environment.yml has 0.13, constraints.txt 0.14.1"]
