#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's demo:   bash scripts/demo.sh
#
# Sets up .venv (the same one the tests use), starts the local DRS simulator with the demo
# batch (two batch async jobs, 20 tasks, one dual-active pair), runs the example playbook
# examples/launch_batch.yml, which uses the role hwcloud.drs.batch_launch, and stops the
# simulator again. Extra arguments go to ansible-playbook (e.g. --check, -v).

set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO_ROOT"
VENV=${VENV_DIR:-$REPO_ROOT/.venv}
SCENARIO=simulator/scenarios/demo.yml

echo "==> Setting up $(basename "$VENV") (first time: about a minute)"
if ! setup_log=$(bash scripts/test.sh venv 2>&1); then
    printf '%s\n' "$setup_log" >&2
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hwcloud-drs-demo.XXXXXX")
SIM_PID=
cleanup() {
    if [[ -n $SIM_PID ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
        echo "==> Simulator stopped"
    fi
    rm -rf -- "$WORK"
}
trap cleanup EXIT

# The repository root is the collection root: make it findable as hwcloud.drs.
mkdir -p "$WORK/collections/ansible_collections/hwcloud"
ln -s "$REPO_ROOT" "$WORK/collections/ansible_collections/hwcloud/drs"

echo "==> Starting the DRS simulator with $SCENARIO"
"$VENV/bin/python" simulator/drs_sim.py --scenario "$SCENARIO" --port 0 --port-file "$WORK/url" \
    > "$WORK/simulator.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
    [[ -s $WORK/url ]] && break
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/simulator.log" >&2; exit 1; }
    sleep 0.1
done
[[ -s $WORK/url ]] || { echo "the simulator did not start within 10 s" >&2; cat "$WORK/simulator.log" >&2; exit 1; }
echo "    listening on $(cat "$WORK/url")"

# What an operator would export for a real project; here the simulator's project and token.
export HW_DRS_ENDPOINT; HW_DRS_ENDPOINT=$(cat "$WORK/url")
export HW_PROJECT_ID=054ba152d480d55b2f5dc0069e7ddef0
export HW_AUTH_TOKEN=sim-token
export ANSIBLE_COLLECTIONS_PATH=$WORK/collections
export ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp
export ANSIBLE_RETRY_FILES_ENABLED=0

echo "==> ansible-playbook examples/launch_batch.yml $*"
"$VENV/bin/ansible-playbook" -i localhost, examples/launch_batch.yml "$@"
