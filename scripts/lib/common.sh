# shellcheck shell=bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers for scripts/test.sh: output, timing, stage bookkeeping.
# Sourced, not executed.

# Colours only on an interactive terminal, never in CI or with NO_COLOR set.
# USE_COLOR is read by the scripts that source this file.
# shellcheck disable=SC2034
if [[ -t 1 && -z "${NO_COLOR:-}" && "${CI:-}" != "true" && "${TERM:-dumb}" != "dumb" ]]; then
    USE_COLOR=1
    C_BOLD=$'\033[1m' C_RED=$'\033[31m' C_GREEN=$'\033[32m' C_YELLOW=$'\033[33m' C_RESET=$'\033[0m'
else
    USE_COLOR=0
    C_BOLD='' C_RED='' C_GREEN='' C_YELLOW='' C_RESET=''
fi

log()  { printf '%s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%sWARNING:%s %s\n' "$C_YELLOW" "$C_RESET" "$*" >&2; }
err()  { printf '%sERROR:%s %s\n' "$C_RED" "$C_RESET" "$*" >&2; }
die()  { err "$*"; exit 1; }

# Monotonic-enough wall clock in milliseconds.
now_ms() { date +%s%3N; }

# 1234 -> "1.2s", 75300 -> "1m15.3s"
fmt_ms() {
    local ms=$1 s tenths m
    s=$(( ms / 1000 )); tenths=$(( (ms % 1000) / 100 ))
    if (( s >= 60 )); then
        m=$(( s / 60 )); s=$(( s % 60 ))
        printf '%dm%02d.%ds' "$m" "$s" "$tenths"
    else
        printf '%d.%ds' "$s" "$tenths"
    fi
}

# sha256 of a file (coreutils or python fallback).
file_sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        "${BOOT_PYTHON:-python3}" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
    fi
}

# ---- stage bookkeeping -----------------------------------------------------
# STAGE_RESULT[name] = passed | FAILED | skipped ; STAGE_TIME[name] = ms
declare -A STAGE_RESULT=()
declare -A STAGE_TIME=()
declare -A STAGE_NOTE=()
STAGES_RUN=()

stage_header() {
    local name=$1 title=$2
    log ""
    log "${C_BOLD}==> [${name}] ${title}${C_RESET}"
}

# skip_stage REASON: ends a stage as skipped, with REASON in the summary (status 200; the
# driver reads the note from $WORK/skip-note).
skip_stage() {
    info "skipped: $1"
    printf '%s\n' "$1" >"$WORK/skip-note"
    return 200
}

# record_stage NAME RESULT MS [NOTE]
record_stage() {
    STAGES_RUN+=("$1")
    STAGE_RESULT[$1]=$2
    STAGE_TIME[$1]=$3
    STAGE_NOTE[$1]=${4:-}
}

print_summary() {
    local name res colour total=$1
    local -a failed=()
    log ""
    log "${C_BOLD}== stage summary ==${C_RESET}"
    for name in "${STAGES_RUN[@]}"; do
        res=${STAGE_RESULT[$name]}
        case $res in
            passed)  colour=$C_GREEN ;;
            FAILED)  colour=$C_RED; failed+=("$name") ;;
            *)       colour=$C_YELLOW ;;
        esac
        printf '  %-13s %s%-7s%s %9s  %s\n' "$name" "$colour" "$res" "$C_RESET" \
            "$(fmt_ms "${STAGE_TIME[$name]}")" "${STAGE_NOTE[$name]}"
    done
    if (( ${#failed[@]} )); then
        log "${C_RED}${C_BOLD}== FAILED stages: ${failed[*]} (total $(fmt_ms "$total"))${C_RESET}"
        return 1
    fi
    local skipped=()
    for name in "${STAGES_RUN[@]}"; do
        [[ ${STAGE_RESULT[$name]} == skipped ]] && skipped+=("$name")
    done
    log "${C_GREEN}${C_BOLD}== OK: $(( ${#STAGES_RUN[@]} - ${#skipped[@]} )) stage(s) passed${skipped[*]:+, skipped: ${skipped[*]}} (total $(fmt_ms "$total"))${C_RESET}"
}
