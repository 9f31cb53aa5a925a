#!/bin/bash
# install.sh: run this build tree's `make install` / `make uninstall` from a
# test (tests/t/11xx).  Source it after tap.sh.
#
#   BUILDDIR               the build tree (from $MAILHOP_BIN)
#   mkvar NAME             a make variable of the build tree, expanded
#   mk TARGET ARGS...      make -C $BUILDDIR TARGET ARGS..., output in
#                          $TESTDIR/mk.out (stdout) and mk.err (stderr)
#
# The sub-make must not inherit the suite's jobserver (`make -j2 check`).

BUILDDIR=${MAILHOP_BIN%/src/mailhop}
export BUILDDIR

_mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
        make --no-print-directory -C "$BUILDDIR" "$@"
}

mkvar() {
    printf 'print-var:\n\t@echo $(%s)\n' "$1" > "$TESTDIR/print-var.mk"
    _mk -s -f Makefile -f "$TESTDIR/print-var.mk" print-var
}

mk() {
    _mk "$@" >"$TESTDIR/mk.out" 2>"$TESTDIR/mk.err"
}
