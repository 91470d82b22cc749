# shellcheck shell=bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The stages of scripts/test.sh, in run order: stage_NAME is the stage NAME (with _ for -).
# Sourced, not executed.
#
# A stage returns 0 (passed), 200 (nothing to run yet: skipped) or any other status (failed).
# test.sh runs each but venv in a subshell, so a stage may cd and export freely, and all with
# errexit off, so a stage checks each status itself: it goes on after a failed check that
# leaves the next checks meaningful (rc=1) and stops where it does not (return 1).
# They use test.sh's REPO_ROOT, LIB, VENV, WORK, COLLECTIONS_BASE, TREE, the ansible-core
# versions (OLDEST_CORE, MATRIX_CORES, PREVIOUS_CORE, NEWEST_CORE, CORE_PYTHONS) and the steps of
# scripts/lib/steps.sh.

stage_venv() {
    local python version
    python=$(find_python) || { err "need Python >= 3.11 (set PYTHON=...)"; return 1; }
    ensure_venv "$VENV" "$REPO_ROOT/requirements/test.txt" "$python" || return 1
    "$VENV/bin/python" -m pip check >/dev/null 2>&1 ||
        warn "pip check reports conflicts in $VENV (run: $VENV/bin/python -m pip check)"
    version=$("$VENV/bin/ansible" --version 2>/dev/null)
    info "${version%%$'\n'*}, $("$VENV/bin/python" -V)"
    # The one stage test.sh runs in its own shell: every later stage uses this venv's tools.
    export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
    unset PYTHONHOME
}

stage_tree() {
    local count
    command -v git >/dev/null 2>&1 || { err "git is required"; return 1; }
    git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { err "$REPO_ROOT is not a git work tree"; return 1; }
    rm -rf -- "$COLLECTIONS_BASE"
    mkdir -p -- "$TREE"
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
    local f entries=0
    # tests/sanity/ignore-*.txt must hold no entries: fix the code, do not ignore.
    for f in "$TREE"/tests/sanity/ignore-*.txt; do
        [[ -f $f ]] || continue
        if grep -Evq '^[[:space:]]*(#|$)' "$f"; then
            err "${f#"$TREE"/} has ignore entries; this project allows none:"
            grep -Ev '^[[:space:]]*(#|$)' "$f" | sed 's/^/    /' >&2
            entries=1
        fi
    done
    ansible_test_sanity || return 1
    return "$entries"
}

stage_lint() {
    local -a args=()
    (( USE_COLOR )) || args+=(--nocolor)
    cd "$TREE" && ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_BASE" ansible-lint "${args[@]}"
}

stage_docs() {
    local tarball install="$WORK/installed" installed m role doc rc=0
    local -a modules=()
    tarball=$(build_tarball "$WORK/build") || return 1
    info "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"
    indented python "$LIB/check_tarball.py" "$tarball" "$TREE" || rc=1
    install_tarball "$tarball" "$install" || return 1
    info "installed into a clean collections path"
    installed="$install/ansible_collections/hwcloud/drs"
    export ANSIBLE_COLLECTIONS_PATH="$install"

    for m in "$installed"/plugins/modules/*.py; do
        [[ -f $m && $(basename "$m") != __init__.py ]] && modules+=("$(basename "$m" .py)")
    done
    if (( ${#modules[@]} == 0 )); then
        info "no modules in plugins/modules yet: ansible-doc skipped"
        return "$rc"
    fi
    for m in "${modules[@]}"; do
        if doc=$(ansible-doc -t module "hwcloud.drs.$m" 2>"$WORK/doc.err") &&
           ! grep -Eq 'WARNING|ERROR' "$WORK/doc.err" && grep -q "hwcloud.drs.$m" <<<"$doc"; then
            info "ansible-doc hwcloud.drs.$m: ok ($(wc -l <<<"$doc") lines)"
        else
            err "ansible-doc -t module hwcloud.drs.$m does not render:"
            sed 's/^/    /' "$WORK/doc.err" >&2
            rc=1
        fi
    done
    for role in "$installed"/roles/*/; do
        [[ -f $role/meta/argument_specs.yml || -f $role/meta/argument_specs.yaml ]] || continue
        role=$(basename "$role")
        if ansible-doc -t role "hwcloud.drs.$role" >/dev/null 2>"$WORK/doc.err" &&
           ! grep -Eq 'WARNING|ERROR' "$WORK/doc.err"; then
            info "ansible-doc -t role hwcloud.drs.$role: ok"
        else
            err "ansible-doc -t role hwcloud.drs.$role does not render:"
            sed 's/^/    /' "$WORK/doc.err" >&2
            rc=1
        fi
    done
    info "antsibull-docs lint-collection-docs --plugin-docs"
    (cd "$install" && indented antsibull-docs --config-file "$LIB/antsibull.cfg" lint-collection-docs \
        --plugin-docs "$installed") || rc=1
    return "$rc"
}

stage_docsite() {
    local site="$WORK/docsite" out="${DOCSITE_DIR:-$REPO_ROOT/docs/build}" pages f
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
    pages=$(find "$out/html" -name '*.html' | wc -l)
    for f in collections/hwcloud/drs/index.html collections/hwcloud/drs/batch_launch_role.html \
             collections/hwcloud/drs/docsite/guide_awx.html; do
        [[ -f $out/html/$f ]] || { err "docsite lacks $f"; return 1; }
    done
    info "$pages pages; open ${out#"$REPO_ROOT"/}/html/index.html"
}

stage_ee() {
    local dump tarball de="$WORK/decision-environment" rc=0 f
    info "ansible-builder introspect on the collection tree"
    dump=$(ansible-builder introspect --sanitize "$COLLECTIONS_BASE" 2>&1) || { printf '%s\n' "$dump" >&2; return 1; }
    indented printf '%s\n' "$dump"
    grep -Eq "^- '?requests[^a-z].*from collection hwcloud\.drs" <<<"$dump" ||
        { err "introspection does not list requests for hwcloud.drs (meta/execution-environment.yml)"; rc=1; }
    tarball=$(build_tarball "$WORK/ee-build") || return 1

    builder_context execution-environment "$tarball" || return 1
    grep -q '^requests' "$WORK/execution-environment/pip.txt" ||
        { err "the execution environment's builder stage would not install requests"; rc=1; }

    # The decision environment runs ansible-rulebook: it needs it, Java 17, and the
    # collection's source, rulebooks and playbook.
    builder_context decision-environment "$tarball" || return 1
    if ! grep -q '^requests' "$de/pip.txt" || ! grep -q '^ansible-rulebook' "$de/pip.txt"; then
        err "the decision environment's builder stage would not install requests and ansible-rulebook"; rc=1
    fi
    grep -q '^java-17-openjdk' "$de/bindep.txt" || { err "the decision environment would install no Java 17"; rc=1; }
    for f in extensions/eda/plugins/event_source/drs_job_status.py extensions/eda/rulebooks/drs_watch.yml \
             extensions/eda/rulebooks/drs_watch_awx.yml playbooks/drs_job_retry.yml; do
        [[ -f $de/collections/ansible_collections/hwcloud/drs/$f ]] || { err "the decision environment's collection lacks $f"; rc=1; }
    done
    return "$rc"
}

stage_installed() {
    local tarball install="$WORK/installed-path"
    tarball=$(build_tarball "$WORK/installed-build") || return 1
    install_tarball "$tarball" "$install" || return 1
    info "installed $(basename "$tarball") into a clean path"
    ANSIBLE_COLLECTIONS_PATH="$install" indented ansible-galaxy collection verify --offline hwcloud.drs ||
        { err "the installed files do not match MANIFEST.json/FILES.json"; return 1; }
    installed_demo "$install"
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
    indented python "$LIB/changelog_fragment_check.py" || rc=1
    # The release itself is a maintainer's step (docs: guide_versions_and_releases); here it
    # runs on a temp copy to prove today's fragments make a valid CHANGELOG.rst.
    indented python "$LIB/changelog_release_check.py" "$REPO_ROOT" "$WORK/changelog-release" || rc=1
    return "$rc"
}

stage_molecule() {
    local rc=0 dir glob spot
    local -a spots=()
    export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS_BASE"
    # A private ANSIBLE_HOME: molecule keeps its scenario state ("prepared", ...) and its
    # copy of the collection under ANSIBLE_HOME, keyed only on the directory name ("drs").
    # Sharing ~/.ansible would reuse a stale state from another checkout or an earlier run.
    export ANSIBLE_HOME="$WORK/ansible-home"
    mkdir -p -- "$ANSIBLE_HOME"
    # location of scenarios : directory molecule runs from : glob
    compgen -G "$TREE/molecule/*/molecule.yml" >/dev/null && spots+=("$TREE:molecule/*/molecule.yml")
    compgen -G "$TREE/extensions/molecule/*/molecule.yml" >/dev/null && spots+=("$TREE:extensions/molecule/*/molecule.yml")
    for dir in "$TREE"/roles/*/; do
        compgen -G "${dir}molecule/*/molecule.yml" >/dev/null && spots+=("${dir%/}:molecule/*/molecule.yml")
    done
    if (( ${#spots[@]} == 0 )); then
        info "no molecule scenarios (molecule/, extensions/molecule/, roles/*/molecule/) yet: skipped"
        return 200
    fi
    for spot in "${spots[@]}"; do
        dir=${spot%%:*}; glob=${spot#*:}
        info "molecule test --all in ${dir#"$TREE"/} ($glob)"
        (cd "$dir" && MOLECULE_GLOB="$glob" molecule test --all </dev/null) || rc=1
    done
    return "$rc"
}

stage_oldest() {
    core_checks "$OLDEST_CORE"
}

stage_newest() {
    core_checks "$NEWEST_CORE" sanity
}

# The real ansible-rulebook runs the collection's rulebooks and event source against the
# simulator (tests/eda, which the pytest stage leaves to this one). ansible-rulebook embeds a JVM
# through jpy: without Java 17 there is nothing to run, so the stage says how to get it.
stage_eda() {
    local java_line major
    if ! command -v java >/dev/null 2>&1; then
        err "ansible-rulebook needs a Java 17 runtime and there is no java on PATH: install OpenJDK 17"
        err "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless; Fedora/RHEL: dnf install java-17-openjdk-headless;"
        err " macOS: brew install openjdk@17), or put its bin/ on PATH and set JAVA_HOME"
        return 1
    fi
    java_line=$(java -version 2>&1 | head -n1)
    major=$(sed -En 's/.*version "(1\.)?([0-9]+).*/\2/p' <<<"$java_line")
    if [[ -z $major ]] || (( major < 17 )); then
        err "ansible-rulebook needs Java 17 or later, java on PATH is: $java_line (install OpenJDK 17, see above)"
        return 1
    fi
    info "$java_line; $("$VENV/bin/ansible-rulebook" --version 2>/dev/null | head -n1)"
    # A single worker: each test runs ansible-rulebook, its JVM and a playbook.
    PYTEST_WORKERS=0 run_pytest "$VENV/bin" tests/eda
}

# Last in the default run, so that its summary line closes the run.
stage_pytest() {
    local -a args=()
    local d rc=0
    [[ -d tests ]] || { err "no tests/ directory: there must always be tests"; return 1; }
    for d in tests/sanity tests/output tests/integration/targets tests/eda; do
        [[ -e $d ]] && args+=(--ignore "$d")
    done
    # Any other ansible-test integration target (a directory with an 'aliases' file).
    while IFS= read -r -d '' d; do
        args+=(--ignore "$(dirname "$d")")
    done < <(find tests -name aliases -type f -not -path 'tests/output/*' -print0 2>/dev/null)
    # shellcheck disable=SC2206  # PYTEST_ARGS is deliberately word-split
    [[ -n ${PYTEST_ARGS:-} ]] && args+=(${PYTEST_ARGS})
    run_pytest "$VENV/bin" "${args[@]}" tests || rc=$?
    if (( rc == 5 )); then
        err "pytest collected no tests (exit 5): there must always be tests"
    fi
    return "$rc"
}

# ---- release stages: after the default run's, with `release` or by name

stage_sanity_oldest() {
    core_venv "$OLDEST_CORE" || return 1
    ansible_test_sanity "$(core_bin "$OLDEST_CORE")"
}

stage_units_matrix() {
    local core rc=0
    for core in "${MATRIX_CORES[@]}"; do
        core_venv "$core" || { rc=1; continue; }
        unit_tests "$(core_bin "$core")" || rc=1
    done
    return "$rc"
}

stage_previous() {
    core_checks "$PREVIOUS_CORE" sanity
}

stage_importer() {
    local release="$REPO_ROOT/.venv-release" tarball log="$WORK/importer.log" home="$WORK/importer-home" rc=0 errors warnings
    ensure_venv "$release" "$REPO_ROOT/requirements/release.txt" || return 1
    tarball=$(build_tarball "$WORK/importer-build") || return 1
    mkdir -p -- "$home/tmp"
    info "galaxy-importer $("$release/bin/python" -c 'from importlib.metadata import version; print(version("galaxy-importer"))') on $(basename "$tarball") (ansible-test off: it needs containers)"
    # Its own HOME: ansible-lint and ansible-galaxy inside it write below ~/.ansible and ~/.cache.
    (cd "$home" && HOME="$home" ANSIBLE_HOME="$home/.ansible" PATH="$release/bin:$PATH" \
        GALAXY_IMPORTER_CONFIG="$LIB/galaxy-importer.cfg" GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$home/tmp" \
        "$release/bin/python" -m galaxy_importer.main "$tarball" >"$log" 2>&1) || rc=$?
    sed 's/^/    /' "$log"
    errors=$(grep -cE '^(ERROR|CRITICAL)' "$log")
    warnings=$(grep -cE '^WARNING' "$log")
    info "importer: exit $rc, $errors error(s), $warnings warning(s)"
    grep -q 'Importer processing completed successfully' "$log" || rc=1
    (( errors == 0 )) || rc=1
    if [[ -n ${IMPORTER_STRICT:-} ]] && (( warnings > 0 )); then rc=1; fi
    return "$rc"
}
