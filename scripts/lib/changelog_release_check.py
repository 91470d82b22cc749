# SPDX-License-Identifier: GPL-3.0-or-later
"""Dry-run the release of the changelog: prove today's fragments make a valid CHANGELOG.rst.

Usage: changelog_release_check.py REPO_ROOT WORK_DIR

Copies the files git knows about into WORK_DIR/ansible_collections/hwcloud/drs (a temp copy:
the repository is never touched), runs ``antsibull-changelog release`` there with the version
of galaxy.yml, and checks that CHANGELOG.rst names the version, that every fragment was used,
and that changelogs/changelog.yaml still lints. The real release is a maintainer's step
(see docs/docsite/rst/guide_versions_and_releases.rst).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import yaml


def main() -> int:
    repo, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    copy = os.path.join(work, "ansible_collections", "hwcloud", "drs")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(copy)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=repo,
                            stdout=subprocess.PIPE, check=True).stdout.decode("utf-8").split("\0")
    for path in filter(None, listed):
        source = os.path.join(repo, path)
        if os.path.isfile(source) and not path.startswith("tests/"):
            os.makedirs(os.path.dirname(os.path.join(copy, path)), exist_ok=True)
            shutil.copy2(source, os.path.join(copy, path))

    with open(os.path.join(copy, "galaxy.yml"), encoding="utf-8") as handle:
        version = str(yaml.safe_load(handle)["version"])
    fragments_dir = os.path.join(copy, "changelogs", "fragments")
    fragments = sorted(name for name in os.listdir(fragments_dir) if name.endswith((".yml", ".yaml")))

    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=work)
    released = subprocess.run(["antsibull-changelog", "release", "--version", version], cwd=copy, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if released.returncode != 0:
        print(released.stdout)
        print("antsibull-changelog release --version %s fails on a copy of this tree" % version)
        return 1
    problems = []
    changelog_rst = os.path.join(copy, "CHANGELOG.rst")
    if not os.path.isfile(changelog_rst):
        problems.append("no CHANGELOG.rst was written")
    else:
        with open(changelog_rst, encoding="utf-8") as handle:
            text = handle.read()
        if "v%s" % version not in text:
            problems.append("CHANGELOG.rst does not name v%s" % version)
    left = [name for name in os.listdir(fragments_dir) if name.endswith((".yml", ".yaml"))]
    if left:
        problems.append("fragments left unused: %s" % ", ".join(sorted(left)))
    linted = subprocess.run(["antsibull-changelog", "lint-changelog-yaml", os.path.join("changelogs", "changelog.yaml")],
                            cwd=copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if linted.returncode != 0:
        problems.append("changelog.yaml after the release does not lint: %s" % linted.stdout.strip())
    for problem in problems:
        print("ERROR: %s" % problem)
    if problems:
        return 1
    print("dry-run release %s: CHANGELOG.rst from %d fragment(s), changelog.yaml lints" % (version, len(fragments)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
