#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every cmocka unit test binary given as argument; print one summary line
# "unit: N passed, N failed" and exit non-zero if any binary failed.
pass=0
fail=0
for t in "$@"; do
	if "$t"; then
		pass=$((pass + 1))
	else
		echo "unit: FAILED: $t" >&2
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
