#!/usr/bin/env bash
# Install what ktop needs to build (and, with --tests, to test) on Debian, then build it.
# Usage: scripts/setup.sh [--tests] [--build-dir DIR] [--configure-flags "..."]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir="$top/build"
configure_flags=""
want_tests=0
while [ $# -gt 0 ]; do
	case "$1" in
	--tests) want_tests=1 ;;
	--build-dir) build_dir="$2"; shift ;;
	--configure-flags) configure_flags="$2"; shift ;;
	*) echo "setup.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

build_pkgs=(make gcc pkg-config autoconf automake clang llvm bpftool libbpf-dev libelf-dev
	libdw-dev libunwind-dev libncurses-dev zlib1g-dev libzstd-dev libiberty-dev libprotobuf-c-dev
	protobuf-c-compiler golang-github-google-pprof-dev libmicrohttpd-dev)
test_pkgs=(libcmocka-dev g++ binutils tmux libbpf-tools bpftrace linux-perf python3 util-linux procps
	e2fsprogs libpam0g systemtap-sdt-dev mariadb-server mariadb-client postgresql
	postgresql-client sysbench strace python3.11-dbg libclang-rt-14-dev prometheus curl iproute2
	dpkg-dev debhelper lintian fakeroot man-db)

# go tool pprof reads ktop's pprof profiles (tests/bpf/test_pprof.sh, the stack panels' e2e).
test_pkgs+=(golang-go)
pkgs=("${build_pkgs[@]}")
[ "$want_tests" = 1 ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! command -v apt-get >/dev/null; then
		echo "setup.sh: missing packages (${missing[*]}) and no apt-get to install them" >&2
		exit 1
	fi
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "setup.sh: installing ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }
fi
mkdir -p "$build_dir"
cd "$build_dir"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $configure_flags
fi
make -j"$(nproc)" -s >&2
