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
#   docs       build + install the collection tarball, check its contents,
#              ansible-doc every module (alias: build)
#   changelog  antsibull-changelog lint + "plugins/ or roles/ changed => fragment"
#   molecule   molecule test for every scenario found (skipped if none)
#   pytest     one pytest run over tests/ (unit, simulator, integration, ...)
#
# Environment knobs (all optional):
#   CI=true               no colours, never prompt
#   PYTHON=python3.11     interpreter used to create .venv
#   VENV_DIR=path         venv location (default: <repo>/.venv)
#   PYTEST_WORKERS=2      pytest-xdist workers; 0 runs pytest without xdist
#   PYTEST_ARGS="..."     extra pytest arguments (e.g. "-k status -x")
#   FAIL_FAST=1           stop at the first failed stage
#   KEEP_TREE=1           keep the temp collection tree and print its path
#   CHANGELOG_BASE=ref    compare against this ref for the fragment check

set -uo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT" || exit 1
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
LIB="$REPO_ROOT/scripts/lib"

ALL_STAGES=(venv tree sanity lint docs changelog molecule pytest)
# Stages that work on the temp collection tree.
declare -A NEEDS_TREE=([sanity]=1 [lint]=1 [docs]=1 [molecule]=1)
declare -A TITLE=(
    [venv]="virtualenv from requirements/test.txt"
    [tree]="collection tree: git-known files -> temp ansible_collections/hwcloud/drs"
    [sanity]="ansible-test sanity --venv"
    [lint]="ansible-lint (production profile, offline)"
    [docs]="collection build, tarball contents, install, ansible-doc"
    [changelog]="antsibull-changelog lint + fragment check"
    [molecule]="molecule scenarios"
    [pytest]="pytest over tests/"
)

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
        *)
            if [[ -n ${TITLE[$arg]+x} ]]; then WANT[$arg]=1
            else err "unknown stage '$arg' (stages: ${ALL_STAGES[*]})"; exit 2; fi ;;
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
for s in "${ALL_STAGES[@]}"; do
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
        ( "stage_$stage" ); rc=$?
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
