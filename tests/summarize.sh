#!/bin/bash
# Summarize an automake test run: reads every *.trs under the build tree
# (argument, default .), names each failure with its diagnostics, and
# ends with the line
#   N passed, N failed[, N skipped]
# PASS and XFAIL count as passed; FAIL, XPASS and ERROR as failed.
# Exit 1 if anything failed or if no result was found at all.

dir=${1:-.}
pass=0 fail=0 skip=0
failures=()

while IFS= read -r -d '' trs; do
    name=${trs#"$dir"/}
    name=${name%.trs}
    bad=0
    while IFS= read -r res; do
        case $res in
            PASS|XFAIL) pass=$((pass + 1)) ;;
            SKIP) skip=$((skip + 1)) ;;
            FAIL|XPASS|ERROR) fail=$((fail + 1)); bad=1 ;;
        esac
    done < <(sed -n 's/^:test-result: *\([A-Z]*\).*/\1/p' "$trs")
    if [ "$bad" = 1 ]; then
        log=${trs%.trs}.log
        lines=
        # Each failure with the diagnostics that follow it ("# got: ..."),
        # so that a CI log alone tells what went wrong.
        [ -f "$log" ] && lines=$(awk '
            /^(FAIL|XPASS|ERROR):? / { print; d = 8; next }
            /^(PASS|SKIP|XFAIL):? / || /^(ok|not ok) / { d = 0; next }
            d > 0 && /^#/ { print "    " $0; d-- }' "$log" | head -n 60)
        if [ -n "$lines" ]; then
            failures+=("$lines")
        else
            failures+=("FAIL: $name")
        fi
    fi
done < <(find "$dir" -name '*.trs' -type f -print0 2>/dev/null | sort -z)

if [ "${#failures[@]}" -gt 0 ]; then
    echo "Failures:"
    printf '%s\n' "${failures[@]}" | sed 's/^/  /'
fi
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
if [ "$fail" -gt 0 ] || [ $((pass + fail + skip)) -eq 0 ]; then
    exit 1
fi
exit 0
