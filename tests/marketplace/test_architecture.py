"""Import direction and size rules, read from the source (AST) of every production module.

Apps are layered marketplace ← agencies ← projects ← ratings ← oversight; cms (listens to events) and opendata
(publishes OCDS) are leaves: an app may import the apps to its left, never to its right, and no app imports a leaf. The
kernel (`marketplace/`) imports no app at all, except the composition modules that wire the apps
together (URLs, the API, settings, demo data). A dependency is any absolute import (also one inside a
function), an `apps.get_model("app.Model")` / `import_module("app.module")` string, or a model
relation given as an "app.Model" string.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("marketplace", "agencies", "projects", "ratings", "oversight", "cms", "opendata")
# Each app and what it may depend on (besides itself).
ALLOWED = {
    "marketplace": set(),
    "agencies": {"marketplace"},
    "projects": {"marketplace", "agencies"},
    "ratings": {"marketplace", "agencies", "projects"},
    "oversight": {"marketplace", "agencies", "projects", "ratings"},
    "cms": {"marketplace", "agencies", "projects", "ratings", "oversight"},
    "opendata": {"marketplace", "agencies", "projects", "ratings", "oversight"},
}
LEAVES = ("cms", "opendata")  # read the other apps; nothing imports them
# Kernel modules whose job is to compose the apps: they may name any app.
COMPOSITION = ("marketplace/urls.py", "marketplace/api.py", "marketplace/settings.py", "marketplace/demo/")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


@dataclass(frozen=True)
class Dependency:
    module: str  # path relative to the repository
    line: int
    target: str  # the imported module or the "app.Model" string

    @property
    def app(self) -> str:
        return self.target.split(".", 1)[0]

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.target}"


def production_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _string_targets(node: ast.Call) -> list[str]:
    """"app.Model" / "app.module" strings that name another app in a call."""
    name = _name(node.func)
    args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if name == "get_model" and args:
        return [".".join(args[:2]) if len(args) >= 2 else args[0]]
    if name == "import_module" and args:
        return [args[0]]
    if name in RELATIONS:
        to = args[:1] + [k.value.value for k in node.keywords if k.arg == "to" and isinstance(k.value, ast.Constant)
                         and isinstance(k.value.value, str)]
        return [t for t in to if "." in t]
    return []


def references(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, target) of every module or "app.Model" string the code refers to, in any scope."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call):
            found += [(node.lineno, target) for target in _string_targets(node)]
    return found


def dependencies(path: Path) -> list[Dependency]:
    """Every reference from the module at `path` to a module or model of one of the apps."""
    relative = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    return [Dependency(relative, line, target) for line, target in references(tree)
            if target.split(".", 1)[0] in APPS]


def _violations(rule) -> list[str]:
    out = []
    for path in production_modules():
        for dep in dependencies(path):
            owner = dep.module.split("/", 1)[0]
            if dep.app != owner and rule(owner, dep):
                out.append(str(dep))
    return out


def _report(title: str, offenders: list[str]) -> str:
    return f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)


def test_the_kernel_imports_no_app_outside_the_composition_modules():
    offenders = _violations(lambda owner, dep: owner == "marketplace" and not dep.module.startswith(COMPOSITION))
    assert not offenders, _report("marketplace/ depends on an app; register it from the app instead "
                                  "(see marketplace/search/registry.py, marketplace/events.py)", offenders)


def test_no_app_imports_a_leaf():
    offenders = _violations(lambda owner, dep: dep.app in LEAVES and not dep.module.startswith(COMPOSITION))
    assert not offenders, _report("cms and opendata are leaves that read the other apps; nothing may import them",
                                  offenders)


def test_apps_depend_only_on_the_apps_below_them():
    offenders = _violations(lambda owner, dep: owner != "marketplace" and dep.app not in ALLOWED[owner])
    assert not offenders, _report("layering is marketplace ← agencies ← projects ← ratings ← oversight (cms, opendata: leaves)", offenders)


def test_the_scanner_sees_imports_inside_functions_and_model_strings():
    source = ("def f():\n    from agencies.models import Agency\n    import cms.search\n"
              "    return apps.get_model('projects.Project'), apps.get_model('ratings', 'Rating')\n"
              "x = models.ForeignKey('agencies.Agency', on_delete=None)\n"
              "y = import_module('projects.services')\n")
    assert sorted(t for _line, t in references(ast.parse(source))) == [
        "agencies.Agency", "agencies.models", "cms.search", "projects.Project", "projects.services", "ratings.Rating"]


def _long_functions(tree: ast.AST, relative: str) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                out.append(f"{relative}:{node.lineno}: {node.name}() has {length} lines")
    return out


def test_no_module_over_600_lines_and_no_function_over_60():
    offenders = []
    for path in production_modules():
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{relative}: {lines} lines (max {MAX_MODULE_LINES})")
        offenders.extend(_long_functions(ast.parse(text, filename=relative), relative))
    assert not offenders, _report("split these modules / functions", offenders)
