#!/usr/bin/env bash
# Runs the integration tests: every test_* function in tests/integration/*.sh (or the files
# named), each in its own subshell, and prints "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/integration/*.sh)
pass=0; failed=0; skipped=0; failures=()
for f in "${files[@]}"; do
  names=$(bash -c "source '$here/lib.sh'; source '$f'; declare -F" | awk '{print $3}' | grep '^test_' || true)
  for t in $names; do
    out=$(bash -c "source '$here/lib.sh'; source '$f'; $t" 2>&1 </dev/null)
    rc=$?
    if [ $rc -eq 0 ]; then
      pass=$((pass+1)); echo "ok      $(basename "$f" .sh) $t"
    elif [ $rc -eq 77 ]; then
      skipped=$((skipped+1)); echo "skip    $(basename "$f" .sh) $t: $(echo "$out" | tail -n1)"
    else
      failed=$((failed+1)); failures+=("$(basename "$f" .sh) $t"); echo "FAIL    $(basename "$f" .sh) $t"; echo "$out" | tail -n 20 | sed 's/^/    /'
    fi
  done
  # A file may stop what its tests shared (a registry) in teardown_file.
  bash -c "source '$here/lib.sh'; source '$f'; if declare -F teardown_file >/dev/null; then teardown_file; fi" </dev/null >/dev/null 2>&1
done
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "$pass passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
