# SPDX-License-Identifier: GPL-3.0-or-later
"""Require a changelog fragment when a change touches plugins/ or roles/.

The change is the commit range BASE..HEAD plus the working tree (staged,
unstaged and untracked-but-not-ignored files). BASE is, in order:

1. ``$CHANGELOG_BASE`` if set (a ref or commit, e.g. a pull request's target);
2. the merge base of HEAD and ``origin/main`` when that is a proper ancestor of
   HEAD (a branch being proposed for main);
3. ``HEAD~1`` (on main itself: the last commit);
4. nothing: a single-commit or shallow clone without the parent checks only
   the working tree and says so.

The change satisfies the rule when it adds or edits a fragment in
``changelogs/fragments/``, or when a commit in the range says
``[skip changelog]`` in its message (for changes users cannot notice).
Never fails because of the repository's shape; only because of a missing
fragment.
"""

from __future__ import annotations

import os
import subprocess
import sys

WATCHED = ("plugins/", "roles/")
FRAGMENTS = "changelogs/fragments/"
SKIP_MARKERS = ("[skip changelog]", "[changelog skip]", "[no changelog]")


def git(*args: str) -> tuple[int, str]:
    proc = subprocess.run(("git",) + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False)
    return proc.returncode, proc.stdout


def resolve(ref: str) -> str | None:
    rc, out = git("rev-parse", "--verify", "--quiet", ref + "^{commit}")
    return out.strip() if rc == 0 and out.strip() else None


def pick_base() -> tuple[str | None, str]:
    explicit = os.environ.get("CHANGELOG_BASE", "").strip()
    if explicit:
        commit = resolve(explicit)
        if commit:
            rc, out = git("merge-base", "HEAD", commit)
            if rc == 0 and out.strip():
                return out.strip(), "merge base with $CHANGELOG_BASE (%s)" % explicit
            return commit, "$CHANGELOG_BASE (%s)" % explicit
        print("note: $CHANGELOG_BASE=%s does not resolve here; falling back" % explicit)

    head = resolve("HEAD")
    if head is None:
        return None, "no commit yet"

    upstream = resolve("origin/main")
    if upstream:
        rc, out = git("merge-base", "HEAD", upstream)
        base = out.strip()
        if rc == 0 and base and base != head:
            return base, "merge base with origin/main"

    parent = resolve("HEAD~1")
    if parent:
        return parent, "HEAD~1"
    rc, out = git("rev-parse", "--is-shallow-repository")
    if out.strip() == "true":
        return None, "shallow clone without the parent commit"
    return None, "single commit"


def split_z(text: str) -> list[str]:
    return [item for item in text.split("\0") if item]


def changed_files(base: str | None) -> tuple[dict[str, str], list[str]]:
    """Return {path: status letter} for the change, and the range's commit messages."""
    changes: dict[str, str] = {}
    messages: list[str] = []
    if base:
        rc, out = git("diff", "--name-status", "-z", "--no-renames", base, "HEAD", "--")
        if rc == 0:
            items = split_z(out)
            for status, path in zip(items[0::2], items[1::2]):
                changes[path] = status[0]
        rc, out = git("log", "--format=%B%x00", base + "..HEAD")
        if rc == 0:
            messages = split_z(out)
    # Working tree against HEAD (staged + unstaged).
    if resolve("HEAD"):
        rc, out = git("diff", "--name-status", "-z", "--no-renames", "HEAD", "--")
        if rc == 0:
            items = split_z(out)
            for status, path in zip(items[0::2], items[1::2]):
                changes[path] = status[0] if path not in changes or status[0] != "M" else changes[path]
    rc, out = git("ls-files", "-z", "--others", "--exclude-standard")
    if rc == 0:
        for path in split_z(out):
            changes.setdefault(path, "A")
    return changes, messages


def main() -> int:
    rc, out = git("rev-parse", "--is-inside-work-tree")
    if rc != 0 or out.strip() != "true":
        print("not a git work tree: fragment requirement not checked")
        return 0

    base, why = pick_base()
    changes, messages = changed_files(base)
    scope = ("%s..HEAD (%s) + working tree" % (base[:12], why)) if base else ("working tree only (%s)" % why)

    watched = sorted(p for p in changes if p.startswith(WATCHED))
    fragments = sorted(p for p, s in changes.items()
                       if p.startswith(FRAGMENTS) and s in ("A", "M")
                       and p.endswith((".yml", ".yaml")))

    print("compared: %s" % scope)
    if not watched:
        print("no change under plugins/ or roles/: no fragment needed")
        return 0
    if fragments:
        print("%d file(s) changed under plugins/ or roles/, fragment(s): %s"
              % (len(watched), ", ".join(fragments)))
        return 0
    if any(marker in message.lower() for message in messages for marker in SKIP_MARKERS):
        print("%d file(s) changed under plugins/ or roles/; a commit says [skip changelog]" % len(watched))
        return 0

    print("ERROR: this change touches plugins/ or roles/ but adds or edits no changelog fragment:")
    for path in watched[:20]:
        print("  %s %s" % (changes[path], path))
    if len(watched) > 20:
        print("  ... and %d more" % (len(watched) - 20))
    print("Add changelogs/fragments/<short-name>.yml, for example:")
    print("  bugfixes:")
    print("    - drs_batch_status - describe the user-visible change (https://...).")
    print("or, for a change no user can notice, put [skip changelog] in the commit message.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
