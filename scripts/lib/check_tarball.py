# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a built collection tarball: what must ship is there, nothing else is.

Usage: check_tarball.py TARBALL COLLECTION_ROOT
Exit 0 when clean; otherwise lists every offending member and exits 1.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
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
# Top-level names matched as patterns (virtualenvs of other ansible-core versions, build output).
FORBIDDEN_TOP_PATTERNS = (".venv*", "build", "execution-environment.yml", "context")


def manifest_problems(tar, names):
    """MANIFEST.json and FILES.json agree with each other and with every member's content."""
    problems = []
    try:
        manifest_raw = tar.extractfile(_member(tar, "MANIFEST.json")).read()
        files_raw = tar.extractfile(_member(tar, "FILES.json")).read()
        manifest = json.loads(manifest_raw)
        files = json.loads(files_raw)
    except (KeyError, AttributeError, ValueError) as exc:
        return ["MANIFEST.json/FILES.json unreadable: %s" % exc]
    if manifest.get("file_manifest_file", {}).get("chksum_sha256") != hashlib.sha256(files_raw).hexdigest():
        problems.append("MANIFEST.json's checksum of FILES.json does not match FILES.json")
    listed = {}
    for entry in files.get("files", []):
        listed[entry["name"]] = entry
    members = {}
    for member in tar.getmembers():
        name = member.name[2:] if member.name.startswith("./") else member.name
        members[name.rstrip("/")] = member
    for name, member in sorted(members.items()):
        if name in ("MANIFEST.json", "FILES.json", ".", ""):
            continue
        entry = listed.get(name)
        if entry is None:
            problems.append("%s is in the tarball but not in FILES.json" % name)
        elif member.isfile():
            digest = hashlib.sha256(tar.extractfile(member).read()).hexdigest()
            if entry.get("ftype") != "file" or entry.get("chksum_sha256") != digest:
                problems.append("%s does not match its FILES.json checksum" % name)
        elif member.isdir() and entry.get("ftype") != "dir":
            problems.append("%s is a directory, FILES.json says %s" % (name, entry.get("ftype")))
    for name in sorted(set(listed) - set(members) - {"."}):
        problems.append("%s is in FILES.json but not in the tarball" % name)
    return problems


def _member(tar, name):
    for candidate in (name, "./" + name):
        try:
            return tar.getmember(candidate)
        except KeyError:
            continue
    raise KeyError(name)


def main() -> int:
    tarball, root = sys.argv[1], sys.argv[2]
    with tarfile.open(tarball) as tar:
        names = [m.name[2:] if m.name.startswith("./") else m.name for m in tar.getmembers()]
        consistency = manifest_problems(tar, names)

    problems = []
    for name in names:
        parts = name.strip("/").split("/")
        if not parts or parts == [""]:
            continue
        if parts[0] in FORBIDDEN_TOP or any(fnmatch.fnmatch(parts[0], p) for p in FORBIDDEN_TOP_PATTERNS):
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
    for problem in consistency:
        print("  manifest mismatch:     %s" % problem)
    if problems or missing or consistency:
        print("tarball check FAILED: %d unexpected, %d missing (fix build_ignore in galaxy.yml), %d manifest mismatch(es)"
              % (len(problems), len(missing), len(consistency)))
        return 1
    print("tarball check passed: %d members, no development files, FILES.json and MANIFEST.json consistent" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
