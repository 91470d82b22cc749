#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Build an execution environment (AWX / Ansible Automation Platform) holding hwcloud.drs, or with
# --de the decision environment (the EDA controller's image for ansible-rulebook):
#
#   bash scripts/build-ee.sh                 # build/ee/context: a build context (Containerfile) only
#   bash scripts/build-ee.sh --build         # and build the image (needs podman or docker)
#   bash scripts/build-ee.sh --de [--build]  # the same from decision-environment.yml, in build/ee/de-context
#
# Builds the collection tarball from this checkout into build/ee/hwcloud-drs.tar.gz, where
# execution-environment.yml and decision-environment.yml pick it up, and runs ansible-builder
# (from .venv, set up by `bash scripts/test.sh venv` when missing). The image tag comes from the
# definition (hwcloud-drs-ee:latest, hwcloud-drs-de:latest); extra arguments go to
# `ansible-builder build`.

set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
VENV=${VENV_DIR:-$REPO_ROOT/.venv}
OUT=$REPO_ROOT/build/ee

build=0 definition=execution-environment.yml context=$OUT/context tag=hwcloud-drs-ee:latest
while [[ ${1:-} == --build || ${1:-} == --de ]]; do
    if [[ $1 == --build ]]; then build=1; else
        definition=decision-environment.yml context=$OUT/de-context tag=hwcloud-drs-de:latest
    fi
    shift
done

if [[ ! -x $VENV/bin/ansible-builder ]]; then
    echo "==> Setting up $(basename "$VENV")"
    bash scripts/test.sh venv >/dev/null
fi

echo "==> Building the collection tarball"
rm -rf -- "$OUT"; mkdir -p -- "$OUT/tarball"
"$VENV/bin/ansible-galaxy" collection build --output-path "$OUT/tarball" "$REPO_ROOT" >/dev/null
mv -- "$OUT"/tarball/hwcloud-drs-*.tar.gz "$OUT/hwcloud-drs.tar.gz"
rmdir -- "$OUT/tarball"
echo "    $OUT/hwcloud-drs.tar.gz"

if (( build )); then
    runtime=
    for candidate in podman docker; do
        command -v "$candidate" >/dev/null 2>&1 && { runtime=$candidate; break; }
    done
    [[ -n $runtime ]] || { echo "neither podman nor docker is installed: use the build context instead" >&2; exit 1; }
    echo "==> ansible-builder build ($runtime)"
    exec "$VENV/bin/ansible-builder" build -f "$definition" -c "$context" --container-runtime "$runtime" "$@"
fi
echo "==> ansible-builder create ($definition)"
"$VENV/bin/ansible-builder" create -f "$definition" -c "$context" --output-filename Containerfile
echo "    build it with: podman build -f $context/Containerfile -t $tag $context"
