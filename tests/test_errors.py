"""Every error a user can fix is a FramingError: the `framing` command prints it as one line and exits with status 2."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil

import framing
from framing.errors import FramingError
from framing.paths import PROJECT_DIR

# Built-in exceptions the package raises on purpose, as Python's protocols require: Codebook[name] is a Mapping
# lookup (KeyError), a module's __getattr__ raises AttributeError.
ALLOWED = {("framing/codebook.py", "KeyError"), ("framing/__init__.py", "AttributeError"),
           ("framing/errors.py", "AttributeError")}


def _raised_builtins():
    for path in sorted((PROJECT_DIR / "framing").rglob("*.py")):
        name = str(path.relative_to(PROJECT_DIR))
        for node in ast.walk(ast.parse(path.read_text(), name)):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call | ast.Name):
                called = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                kind = getattr(called, "id", None)
                if isinstance(getattr(builtins, kind or "", None), type) and issubclass(getattr(builtins, kind),
                                                                                        BaseException):
                    yield name, node.lineno, kind


def test_the_package_raises_no_bare_built_in_error():
    found = [f"{name}:{line} raises {kind}" for name, line, kind in _raised_builtins() if (name, kind) not in ALLOWED]
    assert not found, "raise a FramingError subclass (framing.errors) instead:\n" + "\n".join(found)


def test_every_exception_class_the_package_defines_is_a_framing_error():
    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(framing.__path__, "framing.")]
    classes = {cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
               if issubclass(cls, Exception) and not issubclass(cls, Warning) and cls.__module__.startswith("framing")}
    assert classes, "no exception classes found"
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, FramingError)] == []
