"""The house rules of the code's layout, checked so they cannot quietly erode.

Views are HTTP only: nothing imports a view module except the code that registers blueprints,
and no module reaches into another module's private names. Every blueprint is registered by
name in the app factory, never by an import's side effect.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workshop

PACKAGE = Path(workshop.__file__).parent
REGISTRARS = {
    "workshop/__init__.py",
    "workshop/groupwork/__init__.py",
    "workshop/facilitation/__init__.py",
}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = str(path.relative_to(PACKAGE.parent))
        found.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
    return out


def test_no_module_imports_a_view_module_except_to_register_blueprints() -> None:
    offenders = []
    for name, tree in _modules():
        for module, names in _imports(tree):
            targets = [module] + [f"{module}.{n}" for n in names]
            viewish = any(t.endswith(".views") or ".views." in t for t in targets)
            if viewish and name not in REGISTRARS:
                offenders.append((name, module, names))
    assert offenders == []


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = [
        (name, module, private)
        for name, tree in _modules()
        for module, names in _imports(tree)
        if module.startswith("workshop")
        and (private := [n for n in names if n.startswith("_") and n != "__future__"])
    ]
    assert offenders == []


def test_every_blueprint_is_registered_by_the_factory(app: object) -> None:
    declared = set()
    for _name, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Blueprint"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                declared.add(node.args[0].value)
    assert declared and declared <= set(app.blueprints)  # type: ignore[attr-defined]


def test_user_errors_share_one_base_class() -> None:
    from workshop.usererror import UserError

    classes = [
        (name, node.name, [ast.unparse(b) for b in node.bases])
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == "Exception" for b in node.bases)
    ]
    # Exceptions that are not a person's mistake: a broken method file, a save that lost a race
    # or met its stage closed meanwhile.
    allowed = {"MethodError", "Conflict", "_Stale", "Locked", "MoveError", "UserError"}
    assert [c for c in classes if c[1] not in allowed] == []
    assert UserError.__subclasses__()


def test_the_app_refuses_to_start_with_a_broken_method_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workshop import create_app
    from workshop.method import definition

    good = (definition.VERSIONS_DIR / "tpi-2024.1.yaml").read_text(encoding="utf-8")
    (tmp_path / "tpi-2024.1.yaml").write_text(good.replace("required: true", "requird: true", 1))
    monkeypatch.setattr(definition, "VERSIONS_DIR", tmp_path)
    definition.load.cache_clear()
    try:
        with pytest.raises(definition.MethodError, match="did you mean 'required'"):
            create_app(
                {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "k" * 40}
            )
    finally:
        definition.load.cache_clear()
