#!/usr/bin/env bash
# Builds target/gpu-bundle: what a GPU machine with no Java, no Maven and no network needs to run
# Kiln's tests and the kiln command (docs/GPU.md). Build here, carry target/gpu-bundle, then there:
#   ./run-tests.sh [JUnit console options]    e.g. --select-package dev.kiln.tests.cuda
#   ./kiln.sh train mlp --data mnist --data-dir DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/target/gpu-bundle"
# The console launcher of the JUnit the parent pom names: JUnit 5.X.Y ships platform 1.X.Y.
junit_minor=$(sed -n 's:.*<junit.version>5\.\(.*\)</junit.version>.*:\1:p' "$root/pom.xml")
junit_console="org.junit.platform:junit-platform-console-standalone:1.$junit_minor"

cd "$root"
mvn -B -q install -DskipTests
rm -rf "$out" && mkdir -p "$out/lib"
# JUnit's own jars are left out: the console launcher below carries the same versions (1.4 MB fewer to carry). So are
# oneDNN's and the OpenCL presets it needs (27 MB): the CPU backend then runs its convolutions on OpenBLAS alone, as
# ConvolutionWithoutOneDnnTest checks, and a GPU machine trains on CUDA.
mvn -B -q dependency:copy-dependencies -pl tests -DincludeScope=test -DoutputDirectory="$out/lib" \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
    -DexcludeArtifactIds=dnnl,opencl
mvn -B -q dependency:copy -Dartifact="$junit_console" -DoutputDirectory="$out/lib"
cp "$root"/tests/target/tests-*.jar "$out/lib/"
# Kiln binds OpenBLAS through openblas_nolapack only: the preset's two LAPACK JNI libraries and its headers
# (7.5 MB of the jar) are left out, so that the bundle and MNIST fit one 64 MiB device call together.
for jar in "$out"/lib/openblas-*-linux-x86_64.jar; do
    zip -q -d "$jar" '*/libjniopenblas.so' '*/libjniopenblas_full.so' '*/include/*'
done
# Likewise the CUDA preset's JNI libraries for NPP, cuSOLVER, cuSPARSE, NVML and the rest (4 MB of its 5): Kiln loads
# only cudart, cuBLAS, cuDNN and NVRTC, whose presets inherit nothing else (cudnn -> cublas -> cudart).
for jar in "$out"/lib/cuda-*-linux-x86_64.jar; do
    unused=$(unzip -Z1 "$jar" '*/libjni*.so' | grep -vE '/libjni(cudart|cublas|cudnn|nvrtc)\.so$')
    zip -q -d "$jar" $unused
done
# The test classes as jars: packed they carry in 2 MB what took 5 as class files. The models module's own tests come
# too (the Trainer, evaluation sums, accuracy, sequence models, the CLI): on a GPU they run on CUDA, where the CI never
# takes them.
jar --create --file "$out/tests-tests.jar" -C "$root/tests/target/test-classes" .
jar --create --file "$out/models-tests.jar" -C "$root/models/target/test-classes" .

# A Java runtime with only the modules Kiln uses (java.desktop for the PNG plots; jdk.jfr, 0.3 MB packed, for
# flight recordings of a benchmark; jdk.zipfs, for JUnit to find the tests in the jars above; jdk.incubator.vector,
# so that the CPU backend runs its Vector API loops there as ./kiln and the CI's tests do). Its native
# libraries keep their dynamic symbols only (libjvm.so 24 -> 20 MB).
jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,java.desktop,jdk.jfr,jdk.zipfs,jdk.incubator.vector \
      --strip-debug --no-header-files --no-man-pages --output "$out/jre"
if command -v strip >/dev/null; then
    find "$out/jre" -name '*.so' -exec strip --strip-unneeded {} +
fi
# The runtime and OpenBLAS's native jar travel packed together with xz: the runtime is not compressed, and the jar
# is stored rather than deflated, so that xz packs its 41 MB of native libraries in 5.5 MB where the jar's own
# deflate took 12 (and the runtime in 16.5 MB where gzip took 25.8).
openblas_natives=$(cd "$out" && ls lib/openblas-*-linux-x86_64.jar)
repacking="$(mktemp -d)"
(cd "$repacking" && unzip -q "$out/$openblas_natives" && rm "$out/$openblas_natives" \
    && zip -q -0 -r -X "$out/$openblas_natives" .)
rm -rf "$repacking"
(cd "$out" && tar cJf runtime.txz jre "$openblas_natives" && rm -rf jre "$openblas_natives")
# Unpacks them where they are used: with xz, or else with Python's tarfile (the device machines have Python for
# PyTorch; xz-utils is missing from many slim images).
cat > "$out/unpack-runtime.sh" <<'RUN'
# Unpacks runtime.txz into runtime/ (jre/ and lib/) beside this script, once; remove runtime/ before carrying the bundle.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -d "$here/runtime" ]; then
    # Into a folder of its own, renamed when complete: a run cut short leaves no half runtime for the next to trust.
    unpacking="$(mktemp -d "$here/runtime-unpacking.XXXXXX")"
    if command -v xz >/dev/null; then
        tar xJf "$here/runtime.txz" -C "$unpacking"
    elif command -v python3 >/dev/null; then
        python3 -m tarfile -e "$here/runtime.txz" "$unpacking"
    else
        echo "this machine has neither xz nor python3" >&2
        false
    fi || { echo "cannot unpack $here/runtime.txz" >&2; rm -rf "$unpacking"; exit 1; }
    mv "$unpacking" "$here/runtime"
fi
RUN

cat > "$out/run-tests.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the test suite (or the selection given as JUnit console options) on this machine's best backend.
# Data sets: $KILN_DATA, else shared/data beside the bundle's parent (as in a checkout).
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/unpack-runtime.sh"
selection=("$@")
# ONNX Runtime (the ONNX export's test-scope check, a 93 MB jar) stays out of the bundle, and so do its tests; the
# JUnit 4 engine (Kiln has no JUnit 4 tests) would load their classes to look and fail on ONNX Runtime's missing types.
[ ${#selection[@]} -gt 0 ] || selection=(--scan-class-path "$here/tests-tests.jar:$here/models-tests.jar"
    --exclude-tag onnxruntime --exclude-engine junit-vintage)
# The heap as the tests module's Surefire sets it (tests/pom.xml): fixed and touched from the start, so that
# ScopedStepsMemoryTest's resident memory measures leaks, not the young generation filling for the first time.
exec "$here/runtime/jre/bin/java" -Xms1g -Xmx1g -XX:+AlwaysPreTouch --add-modules jdk.incubator.vector -Dkiln.shared.data="${KILN_DATA:-$here/../../shared/data}" \
    ${KILN_JAVA_OPTS:-} \
    -jar "$here"/lib/junit-platform-console-standalone-*.jar execute \
    --class-path "$here/tests-tests.jar:$here/models-tests.jar:$(ls "$here"/lib/*.jar "$here"/runtime/lib/*.jar \
        | grep -v console-standalone \
        | tr '\n' ':')" \
    --details=tree --disable-banner --fail-if-no-tests "${selection[@]}"
RUN
cat > "$out/kiln.sh" <<'RUN'
#!/usr/bin/env bash
# The kiln command from the bundle.
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/unpack-runtime.sh"
gc="-XX:+UseSerialGC"  # as ./kiln: see there, for both
case "${KILN_JAVA_OPTS:-}" in *GC*) gc="" ;; esac
young="-Xmn64m"
case "${KILN_JAVA_OPTS:-}" in *-Xmn*|*NewSize*|*-Xmx*) young="" ;; esac
exec "$here/runtime/jre/bin/java" $gc $young --add-modules jdk.incubator.vector ${KILN_JAVA_OPTS:-} -cp "$here/lib/*:$here/runtime/lib/*" \
    dev.kiln.cli.Kiln "$@"
RUN
chmod +x "$out/run-tests.sh" "$out/kiln.sh"
du -sh "$out" "$out"/lib "$out"/runtime.txz
# A device call carries the working tree (tracked and untracked files git does not ignore) and the carried paths,
# 64 MiB in all: say how much of it the bundle, the data folder (target/gpu-data, when it exists) and the tree take;
# fail only where the bundle and the tree alone top it (the data can travel in a call of its own).
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
bundle=$(du -sb "$out" | cut -f1)
data=$( [ -d target/gpu-data ] && du -sb target/gpu-data | cut -f1 || echo 0)
awk -v b="$bundle" -v d="$data" -v t="$tree" 'BEGIN {
    total = (b + d + t) / 1048576
    printf "carry: %.1f MiB of 64 (bundle %.1f, target/gpu-data %.1f, working tree %.1f)\n", total, b / 1048576,
        d / 1048576, t / 1048576
    if ((b + t) / 1048576 > 64) { print "over the device call limit of 64 MiB: carry less" > "/dev/stderr"; exit 1 }
    if (total > 64) {
        print "over 64 MiB with the data: carry target/gpu-data in a call of its own (docs/GPU.md, item 0)"
    }
}'
