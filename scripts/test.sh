#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The one test command of hwcloud.drs:   bash scripts/test.sh [STAGE...]
#
# Needs only Python 3.11 (with venv/ensurepip), git and a reachable package
# index: it creates .venv from requirements/test.txt by itself and then runs
# every check as a labelled, timed stage. It keeps going after a failed stage,
# prints a summary of all stages and exits non-zero if any failed.
#
# Stages (in this order; name some to run only those):
#   venv       create/refresh .venv from requirements/test.txt (always runs)
#   tree       copy the files git knows about into a temp ansible_collections/hwcloud/drs
#   sanity     ansible-test sanity --venv (no ignore entries allowed)
#   lint       ansible-lint, production profile, offline
#   docs       build + install the collection tarball, check its contents and
#              FILES.json, ansible-doc every module, antsibull-docs lint (alias: build)
#   docsite    the HTML docsite (antsibull-docs + Sphinx, warnings are errors) into
#              docs/build/html
#   ee         execution environment: ansible-builder introspect finds requests,
#              ansible-builder create accepts execution-environment.yml, and the
#              context's own galaxy + introspect steps run (no container build)
#   installed  release path: build, install into a clean path, verify, run the demo
#              playbook from the INSTALLED copy against the simulator (twice)
#   changelog  antsibull-changelog lint + "plugins/ or roles/ changed => fragment"
#              + a dry-run release into a temp copy
#   molecule   molecule test for every scenario found (skipped if none)
#   oldest     the oldest supported ansible-core (requirements/core-2.16.txt, in
#              .venv-core2.16): unit tests, and the installed demo run with it
#   pytest     one pytest run over tests/ (unit, simulator, integration, awx, ...);
#              last, so that its summary line closes the run
#
# Release stages: not in the default run; `release` runs every stage above plus these
# (or name one to run only it):
#   sanity-oldest  ansible-test sanity --venv with the oldest ansible-core
#   units-matrix   unit tests with every other supported ansible-core
#                  (requirements/core-2.17.txt, core-2.18.txt)
#   importer       galaxy-importer (Galaxy's import checks, ansible-lint included) on
#                  the built tarball, offline, in .venv-release
set -uo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT" || exit 1
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
LIB="$REPO_ROOT/scripts/lib"

ALL_STAGES=(venv tree sanity lint docs docsite ee installed changelog molecule oldest pytest)
RELEASE_STAGES=(sanity-oldest units-matrix importer)
# Stages that work on the temp collection tree.
declare -A NEEDS_TREE=([sanity]=1 [lint]=1 [docs]=1 [docsite]=1 [ee]=1 [installed]=1 [molecule]=1 [oldest]=1
                       [sanity-oldest]=1 [importer]=1)
declare -A TITLE=(
    [venv]="virtualenv from requirements/test.txt"
    [tree]="collection tree: git-known files -> temp ansible_collections/hwcloud/drs"
    [sanity]="ansible-test sanity --venv"
    [lint]="ansible-lint (production profile, offline)"
    [docs]="collection build, tarball contents, install, ansible-doc, antsibull-docs lint"
    [docsite]="docsite: antsibull-docs + Sphinx -> docs/build/html"
    [ee]="execution environment: ansible-builder introspect + create"
    [installed]="release path: build, install, verify, demo from the installed copy"
    [changelog]="antsibull-changelog lint + fragment check + dry-run release"
    [molecule]="molecule scenarios"
    [pytest]="pytest over tests/"
    [oldest]="oldest ansible-core (2.16): unit tests + installed demo"
    [sanity-oldest]="ansible-test sanity --venv with the oldest ansible-core (2.16)"
    [units-matrix]="unit tests on ansible-core 2.17 and 2.18"
    [importer]="galaxy-importer on the tarball (offline)"
)
# Extra ansible-core versions (besides .venv's): requirements/core-<version>.txt each.
OLDEST_CORE=2.16
MATRIX_CORES=(2.17 2.18)

usage() {
    sed -n '4,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# ---------------------------------------------------------------- arguments
declare -A WANT=()
for arg in "$@"; do
    case $arg in
        -h|--help) usage; exit 0 ;;
        build) WANT[docs]=1 ;;
        all) for s in "${ALL_STAGES[@]}"; do WANT[$s]=1; done ;;
        release) for s in "${ALL_STAGES[@]}" "${RELEASE_STAGES[@]}"; do WANT[$s]=1; done ;;
        *)
            if [[ -n ${TITLE[$arg]+x} ]]; then WANT[$arg]=1
            else err "unknown stage '$arg' (stages: ${ALL_STAGES[*]}; release stages: ${RELEASE_STAGES[*]}; all; release)"; exit 2; fi ;;
    esac
done
if (( ${#WANT[@]} == 0 )); then
    for s in "${ALL_STAGES[@]}"; do WANT[$s]=1; done
fi
WANT[venv]=1
for s in "${!WANT[@]}"; do
    [[ -n ${NEEDS_TREE[$s]:-} ]] && WANT[tree]=1
done
PLAN=()
for s in "${ALL_STAGES[@]}" "${RELEASE_STAGES[@]}"; do
    [[ -n ${WANT[$s]:-} ]] && PLAN+=("$s")
done

# ------------------------------------------------------------- environment
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONUNBUFFERED=1
if [[ "${CI:-}" == "true" ]]; then
    export PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off
fi
if (( ! USE_COLOR )); then
    export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
fi
VENV="${VENV_DIR:-$REPO_ROOT/.venv}"
REQUIREMENTS="$REPO_ROOT/requirements/test.txt"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hwcloud-drs-test.XXXXXX") || die "cannot create a temp directory"
COLLECTIONS_BASE="$WORK/tree"                    # ANSIBLE_COLLECTIONS_PATH for the stages
TREE="$COLLECTIONS_BASE/ansible_collections/hwcloud/drs"

cleanup() {
    if [[ -n "${KEEP_TREE:-}" ]]; then
        log "temp work dir kept: $WORK"
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
trap 'err "interrupted"; exit 130' INT TERM

# ------------------------------------------------------------------ stages

stage_venv() {
    local python=${PYTHON:-} candidate want have
    if [[ -z $python ]]; then
        for candidate in python3.11 python3 python; do
            if command -v "$candidate" >/dev/null 2>&1 &&
               "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then
                python=$candidate; break
            fi
        done
    fi
    [[ -n $python ]] || { err "need Python >= 3.11 (set PYTHON=...)"; return 1; }
    [[ -f $REQUIREMENTS ]] || { err "missing $REQUIREMENTS"; return 1; }

    # A venv that no longer runs (moved, Python removed) is rebuilt from scratch.
    if [[ -e $VENV ]] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then
        warn "$VENV is broken or too old: recreating it"
        rm -rf -- "$VENV"
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        info "creating $(basename "$VENV") with $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
        if ! "$python" -m venv "$VENV"; then
            err "'$python -m venv' failed; on Debian/Ubuntu install the python3-venv package"
            return 1
        fi
    fi

    # Stamp: hash of the pins plus the interpreter version; re-install when either changes.
    want="$(file_sha256 "$REQUIREMENTS") $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
    have=$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)
    if [[ $want != "$have" ]]; then
        info "installing requirements/test.txt (stamp ${have:+changed}${have:-missing})"
        "$VENV/bin/python" -m pip install --quiet --quiet --disable-pip-version-check \
            -r "$REQUIREMENTS" || { err "pip install -r requirements/test.txt failed"; return 1; }
        printf '%s\n' "$want" > "$VENV/.requirements.sha256"
    else
        info "up to date (requirements/test.txt unchanged since the last install)"
    fi
    "$VENV/bin/python" -m pip check >/dev/null 2>&1 || warn "pip check reports conflicts in $VENV (run: $VENV/bin/python -m pip check)"
    local version
    version=$("$VENV/bin/ansible" --version 2>/dev/null)
    info "${version%%$'\n'*}, $("$VENV/bin/python" -V)"
}

stage_tree() {
    command -v git >/dev/null 2>&1 || { err "git is required"; return 1; }
    git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { err "$REPO_ROOT is not a git work tree"; return 1; }
    rm -rf -- "$COLLECTIONS_BASE"
    mkdir -p -- "$TREE"
    local count
    # Tracked + untracked-not-ignored files that exist (a deleted tracked file is skipped).
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            if [[ -e $f || -L $f ]]; then printf '%s\0' "$f"; fi
        done |
        tar --null --no-recursion -T - -cf - | tar -xf - -C "$TREE" || { err "copying the tree failed"; return 1; }
    count=$(find "$TREE" -type f | wc -l)
    info "$count files -> $TREE"
}

stage_sanity() {
    local f entries=0 shim pyver
    # tests/sanity/ignore-*.txt must hold no entries: fix the code, do not ignore.
    for f in "$TREE"/tests/sanity/ignore-*.txt; do
        [[ -f $f ]] || continue
        if grep -Evq '^[[:space:]]*(#|$)' "$f"; then
            err "${f#"$TREE"/} has ignore entries; this project allows none:"
            grep -Ev '^[[:space:]]*(#|$)' "$f" | sed 's/^/    /' >&2
            entries=1
        fi
    done
    shim=$(python "$LIB/ansible_test_offline.py") || { err "could not prepare the pip bootstrap for ansible-test"; return 1; }
    info "pip bootstrap for ansible-test venvs: $shim"
    pyver=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    local color=no
    (( USE_COLOR )) && color=yes
    (cd "$TREE" && ansible-test sanity --venv --python "$pyver" --color "$color") || return 1
    return "$entries"
}

stage_lint() {
    local -a args=()
    (( USE_COLOR )) || args+=(--nocolor)
    (cd "$TREE" && ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_BASE" ansible-lint "${args[@]}")
}

stage_docs() {
    local out="$WORK/build" install="$WORK/installed" tarball modules=() m rc=0 doc
    rm -rf -- "$out" "$install"; mkdir -p -- "$out" "$install"
    ansible-galaxy collection build --output-path "$out" "$TREE" | sed 's/^/    /' || return 1
    tarball=$(find "$out" -maxdepth 1 -name 'hwcloud-drs-*.tar.gz' | head -n1)
    [[ -f $tarball ]] || { err "no tarball was built"; return 1; }
    info "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
    python "$LIB/check_tarball.py" "$tarball" "$TREE" | sed 's/^/    /'
    (( PIPESTATUS[0] == 0 )) || rc=1

    ANSIBLE_COLLECTIONS_PATH="$install" ansible-galaxy collection install --offline -p "$install" "$tarball" \
        >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log" >&2; err "collection install failed"; return 1; }
    local installed="$install/ansible_collections/hwcloud/drs"
    [[ -f $installed/MANIFEST.json ]] || { err "install did not produce $installed"; return 1; }
    info "installed into a clean collections path"

    for m in "$installed"/plugins/modules/*.py; do
        [[ -f $m && $(basename "$m") != __init__.py ]] && modules+=("$(basename "$m" .py)")
    done
    if (( ${#modules[@]} == 0 )); then
        info "no modules in plugins/modules yet: ansible-doc skipped"
        return "$rc"
    fi
    for m in "${modules[@]}"; do
        if doc=$(ANSIBLE_COLLECTIONS_PATH="$install" ansible-doc -t module "hwcloud.drs.$m" 2>"$WORK/doc.err") &&
           ! grep -Eq 'WARNING|ERROR' "$WORK/doc.err" && grep -q "hwcloud.drs.$m" <<<"$doc"; then
            info "ansible-doc hwcloud.drs.$m: ok ($(wc -l <<<"$doc") lines)"
        else
            err "ansible-doc -t module hwcloud.drs.$m does not render:"
            sed 's/^/    /' "$WORK/doc.err" >&2
            rc=1
        fi
    done
    local role
    for role in "$installed"/roles/*/; do
        [[ -f $role/meta/argument_specs.yml || -f $role/meta/argument_specs.yaml ]] || continue
        role=$(basename "$role")
        if ANSIBLE_COLLECTIONS_PATH="$install" ansible-doc -t role "hwcloud.drs.$role" >/dev/null 2>"$WORK/doc.err" &&
           ! grep -Eq 'WARNING|ERROR' "$WORK/doc.err"; then
            info "ansible-doc -t role hwcloud.drs.$role: ok"
        else
            err "ansible-doc -t role hwcloud.drs.$role does not render:"
            sed 's/^/    /' "$WORK/doc.err" >&2
            rc=1
        fi
    done
    info "antsibull-docs lint-collection-docs --plugin-docs"
    (cd "$install" && ANSIBLE_COLLECTIONS_PATH="$install" antsibull-docs --config-file "$LIB/antsibull.cfg" lint-collection-docs --plugin-docs \
        "$installed" 2>&1 | sed 's/^/    /'; exit "${PIPESTATUS[0]}") || rc=1
    return "$rc"
}

stage_changelog() {
    local rc=0
    if [[ ! -f changelogs/config.yaml ]]; then
        err "changelogs/config.yaml is missing (antsibull-changelog init .)"; return 1
    fi
    antsibull-changelog lint || rc=1
    if [[ -f changelogs/changelog.yaml ]]; then
        antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml || rc=1
    fi
    python "$LIB/changelog_fragment_check.py" | sed 's/^/    /'
    (( PIPESTATUS[0] == 0 )) || rc=1
    # The release itself is a maintainer's step (docs: guide_versions_and_releases); here it
    # runs on a temp copy to prove today's fragments make a valid CHANGELOG.rst.
    python "$LIB/changelog_release_check.py" "$REPO_ROOT" "$WORK/changelog-release" | sed 's/^/    /'
    (( PIPESTATUS[0] == 0 )) || rc=1
    return "$rc"
}

stage_molecule() {
    local rc=0 dir glob
    export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_BASE"
    # A private ANSIBLE_HOME: molecule keeps its scenario state ("prepared", ...) and its
    # copy of the collection under ANSIBLE_HOME, keyed only on the directory name ("drs").
    # Sharing ~/.ansible would reuse a stale state from another checkout or an earlier run.
    export ANSIBLE_HOME="$WORK/ansible-home"
    mkdir -p -- "$ANSIBLE_HOME"
    # location of scenarios : directory molecule runs from : glob
    local -a spots=()
    compgen -G "$TREE/molecule/*/molecule.yml" >/dev/null && spots+=("$TREE:molecule/*/molecule.yml")
    compgen -G "$TREE/extensions/molecule/*/molecule.yml" >/dev/null && spots+=("$TREE:extensions/molecule/*/molecule.yml")
    for dir in "$TREE"/roles/*/; do
        compgen -G "${dir}molecule/*/molecule.yml" >/dev/null && spots+=("${dir%/}:molecule/*/molecule.yml")
    done
    if (( ${#spots[@]} == 0 )); then
        info "no molecule scenarios (molecule/, extensions/molecule/, roles/*/molecule/) yet: skipped"
        return 200
    fi
    local spot
    for spot in "${spots[@]}"; do
        dir=${spot%%:*}; glob=${spot#*:}
        info "molecule test --all in ${dir#"$TREE"/} ($glob)"
        (cd "$dir" && MOLECULE_GLOB="$glob" molecule test --all </dev/null) || rc=1
    done
    return "$rc"
}

stage_pytest() {
    local -a args=(-p no:cacheprovider --rootdir "$REPO_ROOT")
    local workers=${PYTEST_WORKERS:-2} d rc
    [[ -d tests ]] || { err "no tests/ directory: there must always be tests"; return 1; }
    for d in tests/sanity tests/output tests/integration/targets; do
        [[ -e $d ]] && args+=(--ignore "$d")
    done
    # Any other ansible-test integration target (a directory with an 'aliases' file).
    while IFS= read -r -d '' d; do
        args+=(--ignore "$(dirname "$d")")
    done < <(find tests -name aliases -type f -not -path 'tests/output/*' -print0 2>/dev/null)
    if [[ $workers != 0 ]] && python -c 'import xdist' 2>/dev/null; then
        # worksteal: a few long playbook-driven tests must not leave one worker idle at the end.
        args+=(-n "$workers" --dist worksteal)
    fi
    if (( USE_COLOR )); then args+=(--color=yes); else args+=(--color=no); fi
    # shellcheck disable=SC2206  # PYTEST_ARGS is deliberately word-split
    [[ -n ${PYTEST_ARGS:-} ]] && args+=(${PYTEST_ARGS})
    python -m pytest "${args[@]}" tests
    rc=$?
    if (( rc == 5 )); then
        err "pytest collected no tests (exit 5): there must always be tests"
    fi
    return "$rc"
}

# ---------------------------------------------------------------- helpers

# build_tarball OUTDIR [ANSIBLE_GALAXY]: build the collection from $TREE into OUTDIR, print its path.
build_tarball() {
    local out=$1 galaxy=${2:-ansible-galaxy} tarball
    rm -rf -- "$out"; mkdir -p -- "$out"
    "$galaxy" collection build --output-path "$out" "$TREE" >"$out.log" 2>&1 || { cat "$out.log" >&2; return 1; }
    tarball=$(find "$out" -maxdepth 1 -name 'hwcloud-drs-*.tar.gz' | head -n1)
    [[ -f $tarball ]] || { err "no tarball was built"; return 1; }
    printf '%s\n' "$tarball"
}

# install_tarball TARBALL DEST [ANSIBLE_GALAXY]: install into the clean collections path DEST.
install_tarball() {
    local tarball=$1 dest=$2 galaxy=${3:-ansible-galaxy}
    rm -rf -- "$dest"; mkdir -p -- "$dest"
    ANSIBLE_COLLECTIONS_PATH="$dest" "$galaxy" collection install --offline -p "$dest" "$tarball" >"$dest.log" 2>&1 ||
        { cat "$dest.log" >&2; err "collection install failed"; return 1; }
    [[ -f $dest/ansible_collections/hwcloud/drs/MANIFEST.json ]] || { err "install did not produce hwcloud.drs in $dest"; return 1; }
}

# ensure_venv DIR REQUIREMENTS: a venv at DIR with the pins of REQUIREMENTS (and the files it
# includes with -r), re-installed only when they (or the Python version) change.
ensure_venv() {
    local dir=$1 requirements=$2 want have f
    if [[ -e $dir ]] && ! "$dir/bin/python" -c 'import sys' 2>/dev/null; then
        warn "$dir is broken: recreating it"; rm -rf -- "$dir"
    fi
    if [[ ! -x $dir/bin/python ]]; then
        info "creating $(basename "$dir")"
        python -m venv "$dir" || { err "python -m venv $dir failed"; return 1; }
    fi
    want=$("$dir/bin/python" -c 'import sys; print(sys.version.split()[0])')
    for f in "$requirements" $(sed -n 's/^-r[[:space:]]*//p' "$requirements"); do
        [[ $f == /* ]] || [[ $f == "$requirements" ]] || f="$(dirname "$requirements")/$f"
        want+=" $(file_sha256 "$f")"
    done
    have=$(cat "$dir/.requirements.sha256" 2>/dev/null || true)
    if [[ $want != "$have" ]]; then
        info "installing ${requirements#"$REPO_ROOT"/} into $(basename "$dir")"
        "$dir/bin/python" -m pip install --quiet --quiet --disable-pip-version-check -r "$requirements" ||
            { err "pip install -r $requirements failed"; return 1; }
        printf '%s\n' "$want" > "$dir/.requirements.sha256"
    else
        info "$(basename "$dir") up to date"
    fi
}

core_venv() { printf '%s\n' "$REPO_ROOT/.venv-core$1"; }

# unit_tests PYTHON: tests/unit with that interpreter (and its ansible-core).
unit_tests() {
    local python=$1
    local -a args=(-p no:cacheprovider --rootdir "$REPO_ROOT" -q)
    if [[ ${PYTEST_WORKERS:-2} != 0 ]] && "$python" -c 'import xdist' 2>/dev/null; then
        args+=(-n "${PYTEST_WORKERS:-2}")
    fi
    if (( USE_COLOR )); then args+=(--color=yes); else args+=(--color=no); fi
    info "$("$python" -c 'from ansible.release import __version__; print("ansible-core", __version__)'): pytest tests/unit"
    "$python" -m pytest "${args[@]}" tests/unit
}

# ---------------------------------------------------------- added stages

stage_docsite() {
    local site="$WORK/docsite" out="${DOCSITE_DIR:-$REPO_ROOT/docs/build}"
    rm -rf -- "$site"; mkdir -p -- "$site"; chmod 755 "$site"  # antsibull-docs wants it not group/world-writable
    export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_BASE"
    antsibull-docs --config-file "$LIB/antsibull.cfg" sphinx-init --use-current --dest-dir "$site" \
        --project "hwcloud.drs" --copyright "hwcloud.drs contributors" --title "hwcloud.drs" \
        --html-short-title "hwcloud.drs" --fail-on-error hwcloud.drs >"$site.log" 2>&1 ||
        { cat "$site.log" >&2; err "antsibull-docs sphinx-init failed"; return 1; }
    # Offline: intersphinx may only read the small inventory written here (the few labels
    # of the Ansible docs that generated pages link to), never a URL.
    python "$LIB/docsite_offline.py" "$site" || return 1
    mkdir -p -- "$site/rst"; chmod 700 "$site/rst"
    (cd "$site" && antsibull-docs --config-file "$LIB/antsibull.cfg" collection --cleanup everything --fail-on-error \
        --use-current --dest-dir rst hwcloud.drs >"$site/collection.log" 2>&1) ||
        { cat "$site/collection.log" >&2; err "antsibull-docs collection failed"; return 1; }
    rm -rf -- "$out"; mkdir -p -- "$out"
    info "sphinx-build (warnings are errors) -> ${out#"$REPO_ROOT"/}/html"
    (cd "$site" && sphinx-build -q -b html -d "$site/doctrees" -c . -W --keep-going rst "$out/html") || return 1
    local pages
    pages=$(find "$out/html" -name '*.html' | wc -l)
    for f in collections/hwcloud/drs/index.html collections/hwcloud/drs/batch_launch_role.html \
             collections/hwcloud/drs/docsite/guide_awx.html; do
        [[ -f $out/html/$f ]] || { err "docsite lacks $f"; return 1; }
    done
    info "$pages pages; open ${out#"$REPO_ROOT"/}/html/index.html"
}

stage_ee() {
    local ee="$WORK/ee" ctx dump installed tarball rc=0
    info "ansible-builder introspect on the collection tree"
    dump=$(ansible-builder introspect --sanitize "$COLLECTIONS_BASE" 2>&1) || { printf '%s\n' "$dump" >&2; return 1; }
    printf '%s\n' "$dump" | sed 's/^/    /'
    grep -Eq "^- '?requests[^a-z].*from collection hwcloud\.drs" <<<"$dump" ||
        { err "introspection does not list requests for hwcloud.drs (meta/execution-environment.yml)"; rc=1; }

    # The definition as scripts/build-ee.sh uses it: next to build/ee/hwcloud-drs.tar.gz.
    rm -rf -- "$ee"; mkdir -p -- "$ee/build/ee"
    cp -- "$REPO_ROOT/execution-environment.yml" "$ee/"
    tarball=$(build_tarball "$WORK/ee-build") || return 1
    cp -- "$tarball" "$ee/build/ee/hwcloud-drs.tar.gz" || return 1
    ctx="$ee/context"
    (cd "$ee" && ansible-builder create -f execution-environment.yml -c "$ctx" --output-filename Containerfile \
        >"$ee/create.log" 2>&1) || { cat "$ee/create.log" >&2; err "ansible-builder create refused execution-environment.yml"; return 1; }
    [[ -f $ctx/Containerfile && -f $ctx/_build/collections/hwcloud-drs.tar.gz && -f $ctx/_build/requirements.yml ]] ||
        { err "the build context lacks the Containerfile, the collection tarball or requirements.yml"; return 1; }
    grep -q 'ansible-galaxy collection install' "$ctx/Containerfile" || { err "Containerfile installs no collection"; rc=1; }
    info "ansible-builder create: $(grep -c '^FROM' "$ctx/Containerfile") build stages in context/Containerfile"

    # What the image build would do with that context, minus the package manager: the
    # galaxy stage's install (from /build = _build) and the builder stage's introspection.
    installed="$ee/usr-share-ansible/collections"
    mkdir -p -- "$installed"
    (cd "$ctx/_build" && ANSIBLE_COLLECTIONS_PATH="$installed" ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 \
        ansible-galaxy collection install --offline -r requirements.yml --collections-path "$installed" \
        >"$ee/galaxy.log" 2>&1) || { cat "$ee/galaxy.log" >&2; err "the galaxy stage's install fails"; return 1; }
    python "$ctx/_build/scripts/introspect.py" introspect "$installed" --write-pip "$ee/pip.txt" \
        --write-bindep "$ee/bindep.txt" >"$ee/introspect.log" 2>&1 ||
        { cat "$ee/introspect.log" >&2; err "the builder stage's introspection fails"; return 1; }
    if grep -q '^requests' "$ee/pip.txt"; then
        info "builder stage would pip install: $(tr '\n' ' ' <"$ee/pip.txt")"
        info "builder stage would install system packages: $(cat "$ee/bindep.txt" 2>/dev/null | tr '\n' ' ' | sed 's/^ *$/(none)/')"
    else
        err "the builder stage's introspection does not find requests"; rc=1
    fi
    return "$rc"
}

stage_installed() {
    local tarball install="$WORK/installed-path"
    tarball=$(build_tarball "$WORK/installed-build") || return 1
    install_tarball "$tarball" "$install" || return 1
    info "installed $(basename "$tarball") into a clean path"
    ANSIBLE_COLLECTIONS_PATH="$install" ansible-galaxy collection verify --offline hwcloud.drs 2>&1 | sed 's/^/    /'
    (( PIPESTATUS[0] == 0 )) || { err "the installed files do not match MANIFEST.json/FILES.json"; return 1; }
    python "$LIB/installed_demo.py" "$install" "$(command -v ansible-playbook)" | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

stage_oldest() {
    local venv tarball install="$WORK/oldest-path" rc=0
    venv=$(core_venv "$OLDEST_CORE")
    ensure_venv "$venv" "$REPO_ROOT/requirements/core-$OLDEST_CORE.txt" || return 1
    unit_tests "$venv/bin/python" || rc=1
    # The release path with the oldest ansible-galaxy and ansible-playbook.
    tarball=$(build_tarball "$WORK/oldest-build" "$venv/bin/ansible-galaxy") || return 1
    install_tarball "$tarball" "$install" "$venv/bin/ansible-galaxy" || return 1
    local version
    version=$("$venv/bin/ansible-galaxy" --version)
    info "built and installed with ${version%%$'\n'*}"
    "$venv/bin/python" "$LIB/installed_demo.py" "$install" "$venv/bin/ansible-playbook" | sed 's/^/    /'
    (( PIPESTATUS[0] == 0 )) || rc=1
    return "$rc"
}

stage_sanity_oldest() {
    local venv shim color=no
    venv=$(core_venv "$OLDEST_CORE")
    ensure_venv "$venv" "$REPO_ROOT/requirements/core-$OLDEST_CORE.txt" || return 1
    shim=$("$venv/bin/python" "$LIB/ansible_test_offline.py") || { err "could not prepare the pip bootstrap for ansible-test"; return 1; }
    info "pip bootstrap for ansible-test venvs: $shim"
    (( USE_COLOR )) && color=yes
    (cd "$TREE" && PATH="$venv/bin:$PATH" ansible-test sanity --venv --python "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" --color "$color")
}

stage_units_matrix() {
    local core venv rc=0
    for core in "${MATRIX_CORES[@]}"; do
        venv=$(core_venv "$core")
        ensure_venv "$venv" "$REPO_ROOT/requirements/core-$core.txt" || { rc=1; continue; }
        unit_tests "$venv/bin/python" || rc=1
    done
    return "$rc"
}

stage_importer() {
    local venv="$REPO_ROOT/.venv-release" tarball log="$WORK/importer.log" home="$WORK/importer-home" rc errors warnings
    ensure_venv "$venv" "$REPO_ROOT/requirements/release.txt" || return 1
    tarball=$(build_tarball "$WORK/importer-build") || return 1
    mkdir -p -- "$home/tmp"
    info "galaxy-importer $("$venv/bin/python" -c 'from importlib.metadata import version; print(version("galaxy-importer"))') on $(basename "$tarball") (ansible-test off: it needs containers)"
    # Its own HOME: ansible-lint and ansible-galaxy inside it write below ~/.ansible and ~/.cache.
    (cd "$home" && HOME="$home" ANSIBLE_HOME="$home/.ansible" PATH="$venv/bin:$PATH" \
        GALAXY_IMPORTER_CONFIG="$LIB/galaxy-importer.cfg" GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$home/tmp" \
        "$venv/bin/python" -m galaxy_importer.main "$tarball" >"$log" 2>&1)
    rc=$?
    sed 's/^/    /' "$log"
    errors=$(grep -cE '^(ERROR|CRITICAL)' "$log")
    warnings=$(grep -cE '^WARNING' "$log")
    info "importer: exit $rc, $errors error(s), $warnings warning(s)"
    grep -q 'Importer processing completed successfully' "$log" || rc=1
    (( errors == 0 )) || rc=1
    if [[ -n ${IMPORTER_STRICT:-} ]] && (( warnings > 0 )); then rc=1; fi
    return "$rc"
}

# ------------------------------------------------------------------- driver
log "${C_BOLD}hwcloud.drs test run${C_RESET}: stages ${PLAN[*]}${CI:+ (CI=$CI)}"
TOTAL_START=$(now_ms)
ABORT=0
LAST=${PLAN[${#PLAN[@]}-1]}
for stage in "${PLAN[@]}"; do
    if (( ABORT )); then
        record_stage "$stage" skipped 0 "not run: an earlier stage failed (FAIL_FAST/venv)"
        continue
    fi
    if [[ -n ${NEEDS_TREE[$stage]:-} && ${STAGE_RESULT[tree]:-} != passed ]]; then
        record_stage "$stage" skipped 0 "not run: tree stage failed"
        continue
    fi
    stage_header "$stage" "${TITLE[$stage]}"
    start=$(now_ms)
    if [[ $stage == venv ]]; then
        stage_venv; rc=$?
        if (( rc == 0 )); then
            export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
            unset PYTHONHOME
        fi
    else
        ( "stage_${stage//-/_}" ); rc=$?
    fi
    elapsed=$(( $(now_ms) - start ))
    case $rc in
        0)   record_stage "$stage" passed "$elapsed" ;;
        200) record_stage "$stage" skipped "$elapsed" "nothing to run yet" ;;
        *)   record_stage "$stage" FAILED "$elapsed" "exit $rc" ;;
    esac
    if [[ $stage != "$LAST" ]]; then
        log "<== [$stage] ${STAGE_RESULT[$stage]} in $(fmt_ms "$elapsed")"
    fi
    if (( rc != 0 && rc != 200 )) && [[ $stage == venv || -n ${FAIL_FAST:-} ]]; then
        ABORT=1
    fi
done

print_summary "$(( $(now_ms) - TOTAL_START ))"
