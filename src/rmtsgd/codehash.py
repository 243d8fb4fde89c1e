"""Which library code a script runs, and one hash of it.

A pipeline rule passes `code_hash(script)` as a parameter, so that editing a library module
reruns exactly the rules whose scripts import it, directly or through other modules of the
package (editing a figure function reruns that figure, editing a fit reruns fits, claims and
figures, editing a model reruns its training). The import graph is read from the source with
`ast`, without importing anything; imports inside functions count too.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
from pathlib import Path

PACKAGE = "rmtsgd"


def package_root(package: str = PACKAGE) -> Path:
    """Folder of the package as the interpreter would import it (PYTHONPATH first)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package '{package}' is not importable")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _module_file(root: Path, dotted: str) -> Path | None:
    """Source file of a dotted module name inside the package rooted at `root`, if any."""
    parts = dotted.split(".")
    if parts[0] != root.name:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(tree: ast.AST, current: str, is_package: bool) -> set[str]:
    """Dotted names a module imports, with `from x import y` giving both x and x.y."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                package = current if is_package else current.rpartition(".")[0]
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{node.module}" if node.module else anchor
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _with_parents(dotted: str) -> list[str]:
    """`a.b.c` -> `a`, `a.b`, `a.b.c`: importing a module runs its packages' __init__ first."""
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@functools.cache
def _imports_in(source: str, dotted: str, is_package: bool) -> frozenset[str]:
    """`_imported_names` of one module's source, parsed once per process and text (a workflow
    hashes ~40 scripts that share most of the package)."""
    return frozenset(_imported_names(ast.parse(source), dotted, is_package))


def library_modules(script: str | Path, root: Path | None = None) -> list[Path]:
    """Files of the package that `script` imports, directly or transitively, sorted."""
    root = root or package_root()
    seen: set[Path] = set()
    pending = [(Path(script), "__main__", False)]
    while pending:
        path, dotted, is_package = pending.pop()
        for name in _imports_in(path.read_text(), dotted, is_package):
            for parent in _with_parents(name):
                found = _module_file(root, parent)
                if found is not None and found not in seen:
                    seen.add(found)
                    pending.append((found, parent, found.name == "__init__.py"))
    return sorted(seen)


def code_hash(script: str | Path, root: Path | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the library files `script` imports, names included."""
    root = root or package_root()
    digest = hashlib.sha256()
    for path in library_modules(script, root):
        digest.update(str(path.relative_to(root.parent)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
