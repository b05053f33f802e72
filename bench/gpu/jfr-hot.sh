#!/usr/bin/env bash
# The methods a Java Flight Recording caught most often at the top of a stack: Java code (jdk.ExecutionSample,
# the default) or native calls (jdk.NativeMethodSample: JNI into CUDA, cuBLAS, cuDNN, stream waits).
#   bench/gpu/jfr-hot.sh FILE.jfr [jdk.NativeMethodSample] [how many, default 25]
set -euo pipefail
file="${1:?usage: jfr-hot.sh FILE.jfr [EVENT] [N]}"
event="${2:-jdk.ExecutionSample}"
jfr print --events "$event" --stack-depth 1 "$file" | grep -A1 "stackTrace = \[" \
    | grep -v -e "stackTrace" -e "^--" | sed 's/ line:.*//' | sort | uniq -c | sort -rn | head -"${3:-25}"
