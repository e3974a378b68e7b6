#!/usr/bin/env bash
# Packaging: dpkg-buildpackage builds a .deb from a copy of the source tree; it installs (dpkg -x
# into a temp root) the binary, its man page, the themes, the slow queries' rules (where ktop
# reads them) and the bash completion; the installed ktop runs; its Depends come from the shared
# libraries; lintian reports no error.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

src="$work/src/ktop"
root="$work/root"
mkdir -p "$src" "$root"
# what git tracks, and what is new and not ignored: the tree as it would be committed
(cd "$KTOP_TOP" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) |
	tar -xf - -C "$src" || { not_ok "copy the source tree"; finish; }
check "the copy has debian/rules" test -x "$src/debian/rules"

log="$work/build.log"
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b >"$log" 2>&1)
rc=$?
check "dpkg-buildpackage -us -uc -b succeeds" test "$rc" = 0
[ "$rc" = 0 ] || tail -n 20 "$log" | sed 's/^/# /'
deb=$(ls "$work"/src/ktop_*.deb 2>/dev/null | head -1)
check "a .deb was built" test -n "$deb"
[ -n "$deb" ] || finish
note "package: $(basename "$deb")"

depends=$(dpkg-deb -f "$deb" Depends)
note "Depends: $depends"
check "Depends names the shared libraries (from shlibs)" \
	eval 'grep -q "libbpf1" <<<"$depends" && grep -q "libncursesw6" <<<"$depends" &&
	      grep -q "libdw1" <<<"$depends"'

check "dpkg -x installs it into a temp root" dpkg -x "$deb" "$root"
check "the binary is in /usr/sbin" test -x "$root/usr/sbin/ktop"
out=$("$root/usr/sbin/ktop" --version 2>&1)
note "ktop --version: $out"
check "the installed ktop --version runs" eval 'grep -qE "^ktop [0-9]+\.[0-9]+" <<<"$out"'
man_path=$(MANPATH="$root/usr/share/man" man -w ktop 2>&1)
note "man -w ktop: $man_path"
check "man -w ktop finds the installed man page" \
	test "$man_path" = "$root/usr/share/man/man8/ktop.8.gz"
check "the themes are installed" test -f "$root/usr/share/ktop/themes/high-contrast.theme"
check "the slow queries' rules are installed" \
	eval 'test -f "$root/usr/share/ktop/rules/mariadb.rules" &&
	      test -f "$root/usr/share/ktop/rules/postgresql.rules"'
check "  where the installed ktop looks for them" \
	eval '[ "$(strings "$root/usr/sbin/ktop" | grep -cx /usr/share/ktop/rules)" -ge 1 ]'
comp="$root/usr/share/bash-completion/completions/ktop"
check "the bash completion is installed" test -f "$comp"
words=$(bash -c '. "$1"; COMP_WORDS=(ktop --panel ""); COMP_CWORD=2; _ktop
	echo "${COMPREPLY[*]}"' _ "$comp" 2>&1)
check "the completion offers the panel names" test "$words" = "overview offcpu bio sql stacks trace"

if command -v lintian >/dev/null; then
	lint=$(lintian "$deb" 2>&1)
	echo "$lint" | grep -E '^[EW]:' | head -20 | sed 's/^/# /'
	check "lintian reports no error" eval '! grep -q "^E:" <<<"$lint"'
else
	not_ok "lintian is not installed (scripts/setup.sh --tests installs it)"
fi
finish
