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
# Arguments: stage names (only those run, in run order), `build` (= docs), `all`
# (the default run: every stage but the release stages), `release` (every stage),
# -h/--help. venv always runs, and tree whenever a stage that needs it runs.
#
# More on some stages: sanity allows no entries in tests/sanity/ignore-*.txt; docs also checks
# FILES.json; installed, oldest, newest and previous run the demo playbook twice against the
# simulator; changelog wants a fragment when plugins/ or roles/ changed; molecule is skipped
# while there is no scenario; ee builds no container image (of the execution nor the decision
# environment); eda runs tests/eda with the real ansible-rulebook and needs Java 17; pytest
# (unit, simulator, integration, awx, ...) goes last in the default run, so that its summary
# line closes it. The extra ansible-core venvs are .venv-core<version>
# (requirements/core-<version>.txt); newest and previous (ansible-core 2.21 and 2.20) need
# Python >= 3.12, found as python3.13/python3.12 on PATH or through pyenv, and are skipped,
# saying so, where there is none. importer runs offline in .venv-release (requirements/release.txt).
#
# Environment:
#   VENV_DIR        the venv to set up and use instead of .venv
#   PYTHON          the interpreter that creates it (default: the first Python >= 3.11)
#   PYTEST_WORKERS  pytest-xdist workers for the pytest runs (default 2; 0: no xdist)
#   PYTEST_ARGS     more pytest arguments for the pytest stage (split at spaces)
#   FAIL_FAST       set: after a failed stage, skip the rest (a failed venv always does)
#   KEEP_TREE       set: keep the temp work dir (collection tree, builds, logs)
#   DOCSITE_DIR     where docsite writes html/ (default docs/build)
#   IMPORTER_STRICT set: galaxy-importer warnings fail the importer stage
#   CI=true         pip without prompts or progress bars, and no colour (as with NO_COLOR set
#                   or output that is not a terminal)
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
LIB="$REPO_ROOT/scripts/lib"
# shellcheck source=scripts/lib/common.sh
source "$LIB/common.sh"
# shellcheck source=scripts/lib/steps.sh
source "$LIB/steps.sh"
# shellcheck source=scripts/lib/stages.sh
source "$LIB/stages.sh"

# The stages in run order, each the function stage_NAME of scripts/lib/stages.sh (_ for -):
# NAME, when it runs (default: in every run; release: with `release` or by name), whether it
# works on the temp collection tree, and its title.
STAGE_TABLE='
venv           default  -     virtualenv from requirements/test.txt
tree           default  -     collection tree: git-known files -> temp ansible_collections/hwcloud/drs
sanity         default  tree  ansible-test sanity --venv
lint           default  tree  ansible-lint (production profile, offline)
docs           default  tree  collection build, tarball contents, install, ansible-doc, antsibull-docs lint
docsite        default  tree  docsite: antsibull-docs + Sphinx -> docs/build/html
ee             default  tree  execution and decision environments: ansible-builder introspect + create
installed      default  tree  release path: build, install, verify, demo from the installed copy
changelog      default  -     antsibull-changelog lint + fragment check + dry-run release
molecule       default  tree  molecule scenarios
oldest         default  tree  oldest ansible-core (2.16): unit tests + installed demo
newest         default  tree  newest ansible-core (2.21, Python >= 3.12): unit tests + installed demo + sanity
eda            default  -     Event-Driven Ansible: the real ansible-rulebook (Java 17) against the simulator
pytest         default  -     pytest over tests/
sanity-oldest  release  tree  ansible-test sanity --venv with the oldest ansible-core (2.16)
units-matrix   release  -     unit tests on ansible-core 2.17 and 2.18
previous       release  tree  ansible-core 2.20 (Python >= 3.12): unit tests + installed demo + sanity
importer       release  tree  galaxy-importer on the tarball (offline)
'
# The extra ansible-core versions, besides .venv's (2.19), for the stages. The newest is what
# `pip install ansible` brings: it runs in the default run (= CI), as the release users get first
# and the one whose internals the launch may meet changed; the one before it (PREVIOUS_CORE) in
# the release stages. From 2.20 on ansible-core needs Python >= 3.12: CORE_PYTHONS names the
# Pythons its venv may be made with, the preferred first (2.21 on the newest Python, 2.20 on the
# oldest it supports, so that both are tried); the others use .venv's Python (3.11).
# shellcheck disable=SC2034
OLDEST_CORE=2.16 MATRIX_CORES=(2.17 2.18) PREVIOUS_CORE=2.20 NEWEST_CORE=2.21
# shellcheck disable=SC2034
declare -A CORE_PYTHONS=([2.20]="3.12 3.13 3.14" [2.21]="3.13 3.12 3.14")

ALL_STAGES=() RELEASE_STAGES=()
declare -A TITLE=() NEEDS_TREE=()
while read -r name when tree title; do
    [[ -n $name ]] || continue
    declare -F "stage_${name//-/_}" >/dev/null || die "stage $name has no function stage_${name//-/_}"
    if [[ $when == default ]]; then ALL_STAGES+=("$name"); else RELEASE_STAGES+=("$name"); fi
    if [[ $tree == tree ]]; then NEEDS_TREE[$name]=1; fi
    TITLE[$name]=$title
done <<<"$STAGE_TABLE"

usage() {
    local s
    sed -n '4,/^[^#]/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    printf '\nStages, in run order:\n'
    for s in "${ALL_STAGES[@]}"; do printf '  %-14s %s\n' "$s" "${TITLE[$s]}"; done
    printf '\nRelease stages, after those (run by the argument release, or by name):\n'
    for s in "${RELEASE_STAGES[@]}"; do printf '  %-14s %s\n' "$s" "${TITLE[$s]}"; done
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
            if [[ -n $arg && -n ${TITLE[$arg]+x} ]]; then WANT[$arg]=1
            else err "unknown stage '$arg' (stages: ${ALL_STAGES[*]}; release stages: ${RELEASE_STAGES[*]}; all; release)"; exit 2; fi ;;
    esac
done
if (( ${#WANT[@]} == 0 )); then
    for s in "${ALL_STAGES[@]}"; do WANT[$s]=1; done
fi
WANT[venv]=1
for s in "${!WANT[@]}"; do
    if [[ -n ${NEEDS_TREE[$s]:-} ]]; then WANT[tree]=1; fi
done
PLAN=()
for s in "${ALL_STAGES[@]}" "${RELEASE_STAGES[@]}"; do
    if [[ -n ${WANT[$s]:-} ]]; then PLAN+=("$s"); fi
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
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hwcloud-drs-test.XXXXXX") || die "cannot create a temp directory"
COLLECTIONS_BASE="$WORK/tree"                    # ANSIBLE_COLLECTIONS_PATH for the stages
# shellcheck disable=SC2034  # the stages' paths
VENV="${VENV_DIR:-$REPO_ROOT/.venv}" TREE="$COLLECTIONS_BASE/ansible_collections/hwcloud/drs"

cleanup() {
    if [[ -n "${KEEP_TREE:-}" ]]; then
        log "temp work dir kept: $WORK"
    else
        rm -rf -- "$WORK"
    fi
}
trap cleanup EXIT
trap 'err "interrupted"; exit 130' INT TERM

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
    rc=0
    # Called from a || list, a stage runs with errexit off (see scripts/lib/stages.sh). venv
    # runs in this shell, as its PATH is every later stage's; the others in a subshell.
    if [[ $stage == venv ]]; then
        stage_venv || rc=$?
    else
        ( "stage_${stage//-/_}" ) || rc=$?
    fi
    elapsed=$(( $(now_ms) - start ))
    case $rc in
        0)   record_stage "$stage" passed "$elapsed" ;;
        200) record_stage "$stage" skipped "$elapsed" "$(cat "$WORK/skip-note" 2>/dev/null || echo "nothing to run yet")"
             rm -f -- "$WORK/skip-note" ;;
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
