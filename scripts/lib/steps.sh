# shellcheck shell=bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The steps that several stages of scripts/test.sh share (scripts/lib/stages.sh), written
# once here so that the stages cannot drift apart. Sourced, not executed.
#
# A BIN argument is the bin/ directory of the venv whose tools a step uses; it defaults to
# .venv's ($VENV/bin), so that the extra ansible-core venvs go through the same steps.

# indented CMD...: CMD's output (stdout and stderr) indented under the stage's own lines;
# returns CMD's status, not sed's.
indented() {
    "$@" 2>&1 | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; }
py_xy() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }

# find_python: the interpreter .venv is made from: $PYTHON as given, else the first Python
# >= 3.11 on PATH.
find_python() {
    local candidate
    if [[ -n ${PYTHON:-} ]]; then printf '%s\n' "$PYTHON"; return; fi
    for candidate in python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && py311 "$candidate"; then
            printf '%s\n' "$candidate"; return
        fi
    done
    return 1
}

# ensure_venv DIR REQUIREMENTS [PYTHON]: a venv at DIR (made with PYTHON, default the python on
# PATH) with the pins of REQUIREMENTS, re-installed only when they, a file they include with
# -r, or the venv's Python version change, so that an unchanged venv costs no index access.
ensure_venv() {
    local dir=$1 requirements=$2 python=${3:-python} name want='' have f
    name=$(basename "$dir")
    [[ -f $requirements ]] || { err "missing $requirements"; return 1; }
    # A venv that no longer runs (moved, Python removed) is rebuilt from scratch, and so is
    # one made with another Python version than PYTHON's.
    if [[ -e $dir ]] && ! py311 "$dir/bin/python"; then
        warn "$dir is broken or too old: recreating it"
        rm -rf -- "$dir"
    elif [[ -e $dir ]] && [[ $(py_xy "$dir/bin/python") != "$(py_xy "$python")" ]]; then
        warn "$dir has Python $(py_xy "$dir/bin/python"), $python is $(py_xy "$python"): recreating it"
        rm -rf -- "$dir"
    fi
    if [[ ! -x $dir/bin/python ]]; then
        info "creating $name with $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
        if ! "$python" -m venv "$dir"; then
            err "'$python -m venv $dir' failed; on Debian/Ubuntu install the python3-venv package"
            return 1
        fi
    fi
    for f in "$requirements" $(sed -n 's/^-r[[:space:]]*//p' "$requirements"); do
        [[ $f == /* || $f == "$requirements" ]] || f="$(dirname "$requirements")/$f"
        want+="$(file_sha256 "$f") "
    done
    want+=$("$dir/bin/python" -c 'import sys; print(sys.version.split()[0])')
    have=$(cat "$dir/.requirements.sha256" 2>/dev/null || true)
    if [[ $want != "$have" ]]; then
        info "installing ${requirements#"$REPO_ROOT"/} into $name (stamp $([[ -n $have ]] && echo changed || echo missing))"
        "$dir/bin/python" -m pip install --quiet --quiet --disable-pip-version-check -r "$requirements" ||
            { err "pip install -r ${requirements#"$REPO_ROOT"/} failed"; return 1; }
        printf '%s\n' "$want" > "$dir/.requirements.sha256"
    else
        info "$name up to date (${requirements#"$REPO_ROOT"/} unchanged since the last install)"
    fi
}

# python_version X.Y: an interpreter of Python X.Y: pythonX.Y on PATH if it runs (a pyenv
# shim of a version that is installed but not selected does not), else the newest X.Y.Z that
# pyenv installed (`pyenv root`, or $PYENV_ROOT / ~/.pyenv where pyenv is not on PATH, as in a
# shell that did not read the profile that sets it up).
python_version() {
    local want=$1 root found
    if command -v "python$want" >/dev/null 2>&1 && [[ $(py_xy "python$want") == "$want" ]]; then
        printf '%s\n' "python$want"; return
    fi
    root=$(pyenv root 2>/dev/null) || root=${PYENV_ROOT:-$HOME/.pyenv}
    found=$(find "$root/versions" -mindepth 3 -maxdepth 3 -path "*/versions/$want.*/bin/python$want" 2>/dev/null |
            sort -V | tail -n 1)
    [[ -n $found && $(py_xy "$found") == "$want" ]] || return 1
    printf '%s\n' "$found"
}

# core_python VERSION: the interpreter that makes the venv of ansible-core VERSION: the first
# Python of CORE_PYTHONS[VERSION] (in order of preference) that this machine has, or .venv's
# Python where no list is given. Fails where none of the list is here.
core_python() {
    local want
    if [[ -z ${CORE_PYTHONS[$1]:-} ]]; then printf 'python\n'; return; fi
    for want in ${CORE_PYTHONS[$1]}; do
        python_version "$want" && return
    done
    return 1
}

# core_bin VERSION / core_venv VERSION: the venv of an extra ansible-core version, from
# requirements/core-VERSION.txt, made with core_python's interpreter.
core_bin() { printf '%s\n' "$REPO_ROOT/.venv-core$1/bin"; }
core_venv() {
    local python
    python=$(core_python "$1") ||
        { err "ansible-core $1 needs one of Python ${CORE_PYTHONS[$1]}, and there is none on PATH or in pyenv"; return 1; }
    ensure_venv "$REPO_ROOT/.venv-core$1" "$REPO_ROOT/requirements/core-$1.txt" "$python"
}

# build_tarball OUTDIR [BIN]: build the collection from $TREE into OUTDIR, print its path.
build_tarball() {
    local out=$1 bin=${2:-$VENV/bin} tarball
    rm -rf -- "$out"; mkdir -p -- "$out"
    "$bin/ansible-galaxy" collection build --output-path "$out" "$TREE" >"$out.log" 2>&1 ||
        { cat "$out.log" >&2; err "collection build failed"; return 1; }
    tarball=$(find "$out" -maxdepth 1 -name 'hwcloud-drs-*.tar.gz' | head -n1)
    [[ -f $tarball ]] || { err "no tarball was built"; return 1; }
    printf '%s\n' "$tarball"
}

# install_tarball TARBALL DEST [BIN]: install into the clean collections path DEST.
install_tarball() {
    local tarball=$1 dest=$2 bin=${3:-$VENV/bin}
    rm -rf -- "$dest"; mkdir -p -- "$dest"
    ANSIBLE_COLLECTIONS_PATH="$dest" "$bin/ansible-galaxy" collection install --offline -p "$dest" "$tarball" \
        >"$dest.log" 2>&1 || { cat "$dest.log" >&2; err "collection install failed"; return 1; }
    [[ -f $dest/ansible_collections/hwcloud/drs/MANIFEST.json ]] ||
        { err "install did not produce hwcloud.drs in $dest"; return 1; }
}

# builder_context NAME TARBALL: `ansible-builder create` on NAME.yml (execution-environment or
# decision-environment), set up as scripts/build-ee.sh has it (beside build/ee/hwcloud-drs.tar.gz),
# into $WORK/NAME/context; then what the image build would do with that context, minus the
# package manager: the galaxy stage's install (from /build = _build) into $WORK/NAME/collections,
# and the builder stage's introspection with the definition's own Python and system
# requirements, into $WORK/NAME/pip.txt and bindep.txt.
builder_context() {
    local name=$1 tarball=$2 dir="$WORK/$1" ctx="$WORK/$1/context"
    local packages
    local -a own=()
    rm -rf -- "$dir"; mkdir -p -- "$dir/build/ee" "$dir/collections"
    cp -- "$REPO_ROOT/$name.yml" "$dir/" && cp -- "$tarball" "$dir/build/ee/hwcloud-drs.tar.gz" || return 1
    (cd "$dir" && ansible-builder create -f "$name.yml" -c "$ctx" --output-filename Containerfile >"$dir/create.log" 2>&1) ||
        { cat "$dir/create.log" >&2; err "ansible-builder create refused $name.yml"; return 1; }
    [[ -f $ctx/Containerfile && -f $ctx/_build/collections/hwcloud-drs.tar.gz && -f $ctx/_build/requirements.yml ]] ||
        { err "the $name build context lacks the Containerfile, the collection tarball or requirements.yml"; return 1; }
    grep -q 'ansible-galaxy collection install' "$ctx/Containerfile" || { err "$name: the Containerfile installs no collection"; return 1; }
    info "ansible-builder create -f $name.yml: $(grep -c '^FROM' "$ctx/Containerfile") build stages in its Containerfile"
    (cd "$ctx/_build" && ANSIBLE_COLLECTIONS_PATH="$dir/collections" ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 \
        ansible-galaxy collection install --offline -r requirements.yml --collections-path "$dir/collections" \
        >"$dir/galaxy.log" 2>&1) || { cat "$dir/galaxy.log" >&2; err "$name: the galaxy stage's install fails"; return 1; }
    [[ -f $ctx/_build/requirements.txt ]] && own+=(--user-pip "$ctx/_build/requirements.txt")
    [[ -f $ctx/_build/bindep.txt ]] && own+=(--user-bindep "$ctx/_build/bindep.txt")
    python "$ctx/_build/scripts/introspect.py" introspect "$dir/collections" "${own[@]}" --write-pip "$dir/pip.txt" \
        --write-bindep "$dir/bindep.txt" >"$dir/introspect.log" 2>&1 ||
        { cat "$dir/introspect.log" >&2; err "$name: the builder stage's introspection fails"; return 1; }
    info "$name: the builder stage would pip install: $(tr '\n' ' ' <"$dir/pip.txt")"
    packages=$(tr '\n' ' ' <"$dir/bindep.txt" 2>/dev/null || true)
    info "$name: and install system packages: ${packages:-(none)}"
}

# installed_demo DEST [BIN]: the demo playbook from the copy installed in DEST, against the
# simulator (scripts/lib/installed_demo.py), with BIN's Python and ansible-playbook.
installed_demo() {
    local bin=${2:-$VENV/bin}
    indented "$bin/python" "$LIB/installed_demo.py" "$1" "$bin/ansible-playbook"
}

# ansible_test_sanity [BIN]: ansible-test sanity --venv on $TREE with BIN's ansible-core.
ansible_test_sanity() {
    local bin=${1:-$VENV/bin} shim color=no
    # ansible-test's venvs would download get-pip.py, whose host is not reachable everywhere.
    shim=$("$bin/python" "$LIB/ansible_test_offline.py") ||
        { err "could not prepare the pip bootstrap for ansible-test"; return 1; }
    info "pip bootstrap for ansible-test venvs: $shim"
    if (( USE_COLOR )); then color=yes; fi
    (cd "$TREE" && PATH="$bin:$PATH" ansible-test sanity --venv --color "$color" \
        --python "$(py_xy "$bin/python")")
}

# run_pytest BIN ARG...: pytest with the options every run shares.
run_pytest() {
    local python=$1/python workers=${PYTEST_WORKERS:-2}
    shift
    local -a args=(-p no:cacheprovider --rootdir "$REPO_ROOT")
    if [[ $workers != 0 ]] && "$python" -c 'import xdist' 2>/dev/null; then
        # worksteal: a few long playbook-driven tests must not leave one worker idle at the end.
        args+=(-n "$workers" --dist worksteal)
    fi
    if (( USE_COLOR )); then args+=(--color=yes); else args+=(--color=no); fi
    "$python" -m pytest "${args[@]}" "$@"
}

# unit_tests BIN: tests/unit with BIN's Python and ansible-core.
unit_tests() {
    info "$("$1/python" -c 'from ansible.release import __version__; print("ansible-core", __version__)'): pytest tests/unit"
    run_pytest "$1" -q tests/unit
}

# core_checks VERSION [sanity]: with the venv of ansible-core VERSION: the unit tests, the
# release path (the tarball built and installed with its ansible-galaxy, the demo run with its
# ansible-playbook) and, with the argument sanity, ansible-test sanity. Skipped, saying so, where
# none of the Pythons CORE_PYTHONS names for VERSION is here.
core_checks() {
    local core=$1 bin tarball install="$WORK/core$1-path" version rc=0
    if ! core_python "$core" >/dev/null; then
        skip_stage "ansible-core $core not tested: no python${CORE_PYTHONS[$core]// /, python} runs here (PATH, pyenv)"
        return
    fi
    bin=$(core_bin "$core")
    core_venv "$core" || return 1
    unit_tests "$bin" || rc=1
    tarball=$(build_tarball "$WORK/core$1-build" "$bin") || return 1
    install_tarball "$tarball" "$install" "$bin" || return 1
    version=$("$bin/ansible-galaxy" --version)
    info "built and installed with ${version%%$'\n'*}, $("$bin/python" -V)"
    installed_demo "$install" "$bin" || rc=1
    if [[ ${2:-} == sanity ]]; then
        ansible_test_sanity "$bin" || rc=1
    fi
    return "$rc"
}
