#!/bin/bash
# deb.sh: build this tree's Debian package from a test (tests/t/11xx,
# tests/debroot).  Source it after tap.sh.
#
#   deb_why_not            prints why the package cannot be built here
#                          (nothing, status 0, when it can)
#   deb_build OUT          copies the tree into OUT/mailhop-VERSION with the
#                          build tree's `make distdir` (so the source tree
#                          stays clean and two suites can build at once)
#                          and runs `dpkg-buildpackage -b -us -uc` there,
#                          without the package's own test suite; log in
#                          OUT/build.log.  Sets DEB to the .deb built.

. "$TESTLIB/install.sh"

deb_why_not() {
    if [ -n "${MH_IN_PACKAGE_BUILD:-}" ]; then
        echo "inside the package's own build"
        return 1
    fi
    local t
    for t in dpkg-buildpackage dpkg-checkbuilddeps dh; do
        command -v "$t" >/dev/null || { echo "no $t (apt-get install dpkg-dev debhelper)"; return 1; }
    done
    if ! t=$(dpkg-checkbuilddeps -P nocheck "$TESTSRC/../debian/control" 2>&1); then
        echo "${t#dpkg-checkbuilddeps: error: }"
        return 1
    fi
}

deb_build() {
    local out=$1 version src
    version=$(mkvar PACKAGE_VERSION)
    src=$out/mailhop-$version
    mkdir -p "$out"
    mk distdir distdir="$src" || { cat "$TESTDIR/mk.err" > "$out/build.log"; return 1; }
    (cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        DEB_BUILD_OPTIONS="nocheck parallel=2" \
        nice -n 19 dpkg-buildpackage -b -us -uc -Pnocheck) >"$out/build.log" 2>&1 || return 1
    DEB=$(ls "$out"/mailhop_"$version"_*.deb 2>/dev/null | head -n 1)
    [ -n "$DEB" ]
}
