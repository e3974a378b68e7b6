#!/usr/bin/env bash
# Install missing build dependencies, build ktop, and start it as root: ./run.sh [ktop options]
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
"$top/scripts/setup.sh"
if [ "$(id -u)" != 0 ]; then
	exec sudo "$top/build/ktop" "$@"
fi
exec "$top/build/ktop" "$@"
