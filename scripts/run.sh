#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the main job.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build-kernels.sh" "$@"
