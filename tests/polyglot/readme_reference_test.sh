#!/usr/bin/env bash
# Usage: readme_reference_test.sh WXBRIDGE WXCTL README CONFIGURATION_DOC
# The reference stays complete: every flag wxbridge defines in main.cc appears in
# docs/configuration.md, and every wxctl subcommand in README.md.
set -euo pipefail
wxbridge=$1 wxctl=$2 readme=$3 configuration=$4
missing=0
for flag in $("$wxbridge" --helpon=main 2>&1 | sed -n 's/^ *--\([a-z_]*\) .*/\1/p'); do
  grep -qF -- "\`--$flag\`" "$configuration" ||
    { echo "docs/configuration.md lacks wxbridge flag --$flag"; missing=1; }
done
for command in $("$wxctl" --help | sed -n '/^commands/,$s/^  \([a-z-]*\) .*/\1/p'); do
  grep -qF -- "\`$command\`" "$readme" || { echo "README.md lacks wxctl command $command"; missing=1; }
done
[ "$missing" -eq 0 ] && echo "PASS: every wxbridge flag and wxctl command is documented"
exit "$missing"
