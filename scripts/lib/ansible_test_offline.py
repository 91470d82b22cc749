# SPDX-License-Identifier: GPL-3.0-or-later
"""Let ``ansible-test ... --venv`` bootstrap pip without its download host.

``ansible-test --venv`` creates each virtual environment with ``--without-pip``
and then runs ``get-pip.py`` for the pip version it pins, downloading that
script unless ``~/.ansible/test/cache/get_pip_<version>.py`` already exists.
The download host is not reachable everywhere, so this writes a small stand-in
to that cache path: it bootstraps pip from the standard library's
``ensurepip`` (offline) and then lets that pip install the exact packages
ansible-test asked for (``pip==<version>``) from the configured package index.

The pip version is read from the installed ansible-test itself, so an
ansible-core upgrade needs no change here. Prints the path it manages.
"""

from __future__ import annotations

import ast
import os
import sys
import types

MARKER = "hwcloud.drs offline get-pip stand-in"

SHIM = '''\
# {marker} (written by scripts/lib/ansible_test_offline.py).
# ansible-test runs this as get-pip.py: bootstrap pip offline with ensurepip,
# then install the exact packages requested (e.g. pip=={version}) with that pip.
import subprocess
import sys

DROP = ("--no-setuptools", "--no-wheel")
args = [arg for arg in sys.argv[1:] if arg not in DROP]
boot = subprocess.run([sys.executable, "-m", "ensurepip"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
rc = boot.returncode
if rc:
    sys.stdout.write(boot.stdout.decode("utf-8", "replace"))
else:
    if args:
        rc = subprocess.call([sys.executable, "-m", "pip", "install", "--quiet"] + args)
    if rc == 0 and "--no-setuptools" in sys.argv:
        # ensurepip of Python < 3.12 also installs setuptools; get-pip.py would not.
        subprocess.call([sys.executable, "-m", "pip", "uninstall", "-q", "-y", "setuptools"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
sys.exit(rc)
'''


def pip_version() -> str:
    """Return the pip version ansible-test bootstraps into its venvs."""
    python = types.SimpleNamespace(version="%d.%d" % sys.version_info[:2])
    try:
        from ansible_test._internal.python_requirements import get_venv_packages
        return get_venv_packages(python)["pip"]
    except Exception:  # pragma: no cover - fall back to reading the source
        pass

    import ansible_test  # the installed ansible-core's copy

    source_path = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source_path, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict":
            for keyword in node.keywords:
                if keyword.arg == "pip" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    raise SystemExit("cannot determine ansible-test's pip version from %s" % source_path)


def main() -> int:
    version = pip_version()
    cache_dir = os.path.expanduser("~/.ansible/test/cache")
    path = os.path.join(cache_dir, "get_pip_%s.py" % version.replace(".", "_"))
    content = SHIM.format(marker=MARKER, version=version)

    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as existing:
            current = existing.read()
        if MARKER not in current:
            # A genuine get-pip.py someone cached: it works, leave it alone.
            print(path)
            return 0
        if current == content:
            print(path)
            return 0

    os.makedirs(cache_dir, exist_ok=True)
    tmp = path + ".tmp-%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as shim:
        shim.write(content)
    os.replace(tmp, path)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
