#!/usr/bin/env bash
# Prints the commit the contract of HEAD is compared with (`make diff-spec BASE=...` in .ci/run and in
# .github/workflows/ci.yml): the merge base of HEAD and the branch the change will merge into, that is
# what the change does to the target branch, whatever landed there meanwhile.
#
#   target branch: $CI_TARGET_BRANCH, else $GITHUB_BASE_REF (a pull request on GitHub), else main;
#                  looked up as origin/<branch>, then <branch>
#   on the target branch itself (CI's clean clone of main), the merge base is HEAD: the previous commit
#   no target branch at all: the previous commit; no previous commit: nothing (nothing to compare)
set -euo pipefail
target="${CI_TARGET_BRANCH:-${GITHUB_BASE_REF:-main}}"
head=$(git rev-parse HEAD)
for ref in "origin/$target" "$target"; do
    if git rev-parse -q --verify "$ref^{commit}" >/dev/null; then
        base=$(git merge-base HEAD "$ref" || true)
        if [ -n "$base" ] && [ "$base" != "$head" ]; then
            echo "$base"
            exit 0
        fi
        break
    fi
done
git rev-parse -q --verify 'HEAD~1^{commit}' || true
