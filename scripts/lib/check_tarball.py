# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a built collection tarball: what must ship is there, nothing else is.

Usage: check_tarball.py TARBALL COLLECTION_ROOT
Exit 0 when clean; otherwise lists every offending member and exits 1.
"""

from __future__ import annotations

import fnmatch
import os
import sys
import tarfile

# Top-level paths that belong to development only.
FORBIDDEN_TOP = {
    "tests", "scripts", "simulator", "benchmarks", "molecule", "requirements",
    ".ci", ".github", ".git", ".venv", "venv", ".ansible", ".tox", ".nox",
    ".gitignore", ".ansible-lint", ".yamllint", ".pre-commit-config.yaml",
    ".editorconfig", ".idea", ".vscode", "pytest.ini", "tox.ini", "setup.cfg",
    "conftest.py", "Makefile",
}
# Directory names that must not appear anywhere (caches, build output).
FORBIDDEN_DIRS = {
    "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache",
    ".cache", ".molecule", "molecule",
}
# File name patterns that must not appear anywhere.
FORBIDDEN_FILES = (
    "*.pyc", "*.pyo", "*.tar.gz", "*.retry", "*.orig", "*.rej", "*.swp", "*~",
    ".DS_Store", ".coverage", ".coverage.*", ".plugin-cache.yaml",
)
REQUIRED = ("MANIFEST.json", "FILES.json", "meta/runtime.yml")


def main() -> int:
    tarball, root = sys.argv[1], sys.argv[2]
    with tarfile.open(tarball) as tar:
        names = [m.name[2:] if m.name.startswith("./") else m.name for m in tar.getmembers()]

    problems = []
    for name in names:
        parts = name.strip("/").split("/")
        if not parts or parts == [""]:
            continue
        if parts[0] in FORBIDDEN_TOP:
            problems.append("%s (development-only path)" % name)
        elif any(part in FORBIDDEN_DIRS for part in parts):
            problems.append("%s (cache, build output or test scenario)" % name)
        elif any(fnmatch.fnmatch(parts[-1], pattern) for pattern in FORBIDDEN_FILES):
            problems.append("%s (unwanted file type)" % name)

    present = set(n.rstrip("/") for n in names)
    required = list(REQUIRED)
    for name in ("LICENSE", "COPYING", "README.md"):
        if os.path.exists(os.path.join(root, name)):
            required.append(name)
    modules_dir = os.path.join(root, "plugins", "modules")
    if os.path.isdir(modules_dir):
        for entry in sorted(os.listdir(modules_dir)):
            if entry.endswith(".py") and entry != "__init__.py":
                required.append("plugins/modules/" + entry)
    for sub in ("roles", "plugins/module_utils", "plugins/doc_fragments", "meta", "changelogs"):
        base = os.path.join(root, sub)
        if os.path.isdir(base):
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = [d for d in dirnames if d not in FORBIDDEN_DIRS]
                for filename in filenames:
                    if any(fnmatch.fnmatch(filename, p) for p in FORBIDDEN_FILES):
                        continue
                    required.append(os.path.relpath(os.path.join(dirpath, filename), root))
    missing = [name for name in required if name not in present]

    for problem in problems:
        print("  unexpected in tarball: %s" % problem)
    for name in missing:
        print("  missing from tarball:  %s" % name)
    if problems or missing:
        print("tarball check FAILED: %d unexpected, %d missing (fix build_ignore in galaxy.yml)"
              % (len(problems), len(missing)))
        return 1
    print("tarball check passed: %d members, no development files" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
