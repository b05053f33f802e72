#!/usr/bin/env bash
# The GPU checks of docs/GPU.md in one script, for a machine lent by the device tool (no Java, no Maven,
# no network; PyTorch and the CUDA libraries from pip). Build the bundle here first (bench/gpu/bundle.sh),
# then run there from the repository root, one stage per call:
#   parity     the CPU-vs-CUDA parity suite          carry: target/gpu-bundle
#   suite      every test, on CUDA where it is found  (the bundle stays on a warm machine between calls)
#   workloads  W1-W3 with Kiln on CUDA, then PyTorch eager on the same GPU; needs MNIST in target/gpu-data/mnist
#              (cp -r ../shared/data/mnist target/gpu-data/), carried as target/gpu-data
#   precision  W2 with Kiln on CUDA in strict FP32, with the TF32 opt-in and in bf16 autocast (--precision bf16),
#              then PyTorch eager in FP32 and under bf16 autocast: accuracy and speed of each (same data as workloads)
#   graphs     W1, W2 and W3 with Kiln on CUDA with --cuda-graphs on (the step replayed as a CUDA graph), then
#              off, 2 epochs each (same data as workloads); W3's 146 operations a step become one graph launch
#   large      the rest of issue 10's table, Kiln then PyTorch for each: W1-W3 at batch 1024 for 6 epochs (the first
#              run's 2 epochs timed a 0.3 s epoch 2, JVM warm-up), the zoo's resnet on MNIST (4 epochs) and ResNet-18 on
#              random 3x32x32 images (6) at batch 256 (same data as workloads)
#   pipeline   W1-W3 (3 epochs) and W1 at batch 1024 (8 epochs) with Kiln on CUDA as it trains, reading each step's
#              loss one step late, then with -Dkiln.train.waitForEachLoss=true (a wait for each step's loss before the
#              next is queued, as before 2026-12-04's evening); loss_wait_share in each JSON line says how much of the
#              epoch the host waited for the device; then PyTorch eager the same ways (--loss-read late|each); same
#              data as workloads, about 2.5 minutes
#   profile    the table of each operation's time per step (-Dkiln.profileOperations=true: the device waited for
#              before and after every operation, so each time is its own, cuBLAS and cuDNN calls included) of W1 at
#              batch 1024, W2 at 64 and 1024, W3 at 1024 and ResNet-18 (same data as workloads), about 2 minutes
#   explain    what the first GPU session could not measure, about 6 minutes (same data as workloads; $OUT gets
#              more than the 8 files a device call returns: run it as OUT=/tmp/r device-check.sh explain, then tar
#              /tmp/r into the real $OUT; run suite first, which has the memory tests), in this order, as what
#              runs last is cut first: W1-W3 at batch 1024 for 8 epochs, Kiln then PyTorch (steady state, or the
#              JVM's warm-up?), W1 with a Java Flight Recording; W2 also with Kiln in TF32 and PyTorch in strict
#              FP32 convolutions; W5 SGEMM with Kiln and with torch.mm; W1 widened to 4096 units at batch 4096 (a
#              step its GEMMs bound), unprofiled, profiled and with PyTorch; ResNet-18 in strict FP32 with a recording
#              and with TF32, PyTorch's with and without TF32 convolutions, then both with cuDNN's algorithms timed
#              on first use (KILN_CUDNN_BENCHMARK, cudnn.benchmark); kiln bench dispatch and conv (the host's cost
#              of a cuDNN call); W1 for 8 epochs with and without a step graph; last, Nsight Compute's GPU time
#              per kernel of warm W1 and W2 (batch 1024) and ResNet-18 steps
#   all        the first session's single call (a session has 15 minutes of device time, a machine goes back
#              30 s after a call): parity suite, step counters and CUDA graph tests, then W1-W3 for 2 epochs with
#              Kiln and PyTorch; at most 9 minutes by its timeouts (run it with timeout_s 590).
#              Carry target/gpu-bundle and target/gpu-data.
# Everything it prints is also written under $OUT (default gpu-results/): machine.txt, backends.txt, one
# file per stage or workload.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="$root/target/gpu-bundle"
out="${OUT:-$root/gpu-results}"
stage="${1:-parity}"
mkdir -p "$out"

# cudart, cuBLAS, cuDNN and NVRTC: the system's if it has them, else the ones pip installed beside PyTorch.
site="$(python3 -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null || true)"
for lib in "$site"/nvidia/*/lib; do
    [ -d "$lib" ] && LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
# The CUDA 13 libraries the JavaCPP preset links against: where neither pip's folders nor the loader's cache
# have one, the first copy found anywhere on the machine (a toolkit under /usr/local or /opt), so that a
# machine laid out otherwise than expected still runs the first call's checks.
libraries="libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 libcudnn.so.9"
on_library_path() {
    local dir
    IFS=: read -ra dirs <<< "${LD_LIBRARY_PATH:-}"
    for dir in "${dirs[@]}"; do [ -e "$dir/$1" ] && { echo "$dir/$1"; return 0; }; done
    ldconfig -p 2>/dev/null | grep -m1 -o "/.*/$1\$"
}
for soname in $libraries; do
    on_library_path "$soname" > /dev/null && continue
    path="$(timeout 60 find / \( -path /proc -o -path /sys \) -prune -o -name "$soname" -print 2>/dev/null | head -1)"
    [ -n "$path" ] && LD_LIBRARY_PATH="$(dirname "$path")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done
export LD_LIBRARY_PATH

{ date -u; nvidia-smi; echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  for soname in $libraries; do echo "$soname: $(on_library_path "$soname" || echo 'NOT FOUND')"; done
} > "$out/machine.txt" 2>&1
head -20 "$out/machine.txt"
timeout 30 "$bundle/kiln.sh" backends > "$out/backends.txt" 2>&1
tail -3 "$out/backends.txt"
# The memory the kernel reports and the heap the JVM sizes from it: memory the process has not touched yet costs a
# page fault on first use (docs/GPU.md, "Fresh memory for every batch").
{ grep -E '^(MemTotal|MemAvailable)' /proc/meminfo; nproc
  "$bundle/runtime/jre/bin/java" -XX:+UseSerialGC -XX:+PrintFlagsFinal -version 2>/dev/null \
      | grep -E ' (InitialHeapSize|MaxHeapSize|NewSize|MaxNewSize) '
} >> "$out/machine.txt" 2>&1

# A run ("lenet --batch 1024 --epochs 6") as a file name ("lenet-10246"); and, in the array data_option, the data
# options kiln bench takes for it (ResNet-18 trains on random images: kiln refuses an unused --data-dir).
run_name() { echo "${1%% *}-$(echo "$1" | tr -dc '0-9')"; }
set_data_option() {
    data_option=(--data-dir "$root/target/gpu-data")
    if [ "${1%% *}" = resnet18 ]; then data_option=(); fi
}
# kiln bench ARGS... on CUDA into $out/NAME.txt, stopped after LIMIT seconds; prints its last line (the JSON figures).
# Settings go in the environment of the call: KILN_CUDA_TF32=1 kiln_bench NAME LIMIT ARGS...
kiln_bench() {
    local name="$1" limit="$2"
    shift 2
    KILN_BACKEND=cuda timeout "$limit" "$bundle/kiln.sh" bench "$@" > "$out/$name.txt" 2>&1
    tail -1 "$out/$name.txt"
}
# The same run of PyTorch eager on the GPU: bench/pytorch_reference.py ARGS... --device cuda.
torch_bench() {
    local name="$1" limit="$2"
    shift 2
    timeout "$limit" python3 "$root/bench/pytorch_reference.py" "$@" --device cuda > "$out/$name.txt" 2>&1
    tail -1 "$out/$name.txt"
}

case "$stage" in
    parity)
        timeout 450 "$bundle/run-tests.sh" --select-package dev.kiln.tests.cuda > "$out/parity.txt" 2>&1
        grep -E "MethodSource|tests (successful|failed|skipped)|✘" "$out/parity.txt" | tail -80 ;;
    suite)
        timeout 540 "$bundle/run-tests.sh" > "$out/suite.txt" 2>&1
        grep -E "tests (successful|failed|skipped)|✘" "$out/suite.txt" | tail -80 ;;
    workloads)
        data="$root/target/gpu-data"
        for workload in mlp lenet lstm; do
            kiln_bench "kiln-$workload" 150 "$workload" --data-dir "$data"
            torch_bench "torch-$workload" 150 "$workload" --data-dir "$data"
        done ;;
    precision)
        data="$root/target/gpu-data"
        for run in "0 fp32" "1 fp32" "0 bf16"; do
            tf32="${run% *}"
            precision="${run#* }"
            KILN_CUDA_TF32=$tf32 kiln_bench "kiln-lenet-tf32-$tf32-$precision" 120 lenet --precision "$precision" \
                --data-dir "$data"
        done
        for precision in fp32 bf16; do
            torch_bench "torch-lenet-$precision" 90 lenet --precision "$precision" --data-dir "$data"
        done ;;
    graphs)
        data="$root/target/gpu-data"
        for workload in mlp lenet lstm; do
            for graphs in on off; do
                kiln_bench "kiln-$workload-graphs-$graphs" 90 "$workload" --epochs 2 --cuda-graphs "$graphs" \
                    --data-dir "$data"
            done
        done ;;
    large)
        data="$root/target/gpu-data"
        for run in "mlp --batch 1024 --epochs 6" "lenet --batch 1024 --epochs 6" "lstm --batch 1024 --epochs 6" \
                   "resnet --epochs 4" "resnet18 --epochs 6"; do
            name="$(run_name "$run")"
            set_data_option "$run"
            # shellcheck disable=SC2086 # $run holds the workload and its options
            kiln_bench "kiln-$name" 100 $run "${data_option[@]}"
            # shellcheck disable=SC2086
            torch_bench "torch-$name" 60 $run --data-dir "$data"
        done ;;
    pipeline)
        data="$root/target/gpu-data"
        for run in "mlp --epochs 3" "lenet --epochs 3" "lstm --epochs 3" "mlp --batch 1024 --epochs 8"; do
            name="$(run_name "$run")"
            for wait in false true; do
                # shellcheck disable=SC2086 # $run holds the workload and its options
                echo "waitForEachLoss=$wait: $(KILN_JAVA_OPTS="-Dkiln.train.waitForEachLoss=$wait" \
                    kiln_bench "kiln-$name-wait-$wait" 60 $run --data-dir "$data")"
            done
            for read in late each; do
                # shellcheck disable=SC2086
                torch_bench "torch-$name-$read" 40 $run --data-dir "$data" --loss-read "$read"
            done
        done ;;
    profile)
        for run in "mlp --batch 1024 --epochs 3" "lenet --epochs 2" "lenet --batch 1024 --epochs 3" \
                   "lstm --batch 1024 --epochs 3" "resnet18 --epochs 3"; do
            name="$(run_name "$run")"
            set_data_option "$run"
            # shellcheck disable=SC2086 # $run holds the workload and its options
            KILN_JAVA_OPTS="-Dkiln.profileOperations=true" kiln_bench "profile-$name" 100 $run "${data_option[@]}"
            grep -A14 "operations per step" "$out/profile-$name.txt" | cut -c1-160
        done ;;
    explain)
        data="$root/target/gpu-data"
        for workload in mlp lenet lstm; do
            recording=""
            [ "$workload" = mlp ] && recording="-XX:StartFlightRecording=filename=$out/mlp-1024.jfr,settings=profile"
            KILN_JAVA_OPTS="$recording" kiln_bench "kiln-$workload-1024-8" 60 "$workload" --batch 1024 --epochs 8 \
                --data-dir "$data"
            torch_bench "torch-$workload-1024-8" 40 "$workload" --batch 1024 --epochs 8 --data-dir "$data"
        done
        # Like for like in precision: PyTorch's cuDNN convolutions run TF32 by default, Kiln's strict FP32.
        KILN_CUDA_TF32=1 kiln_bench kiln-lenet-1024-8-tf32 60 lenet --batch 1024 --epochs 8 --data-dir "$data"
        torch_bench torch-lenet-1024-8-strict 40 lenet --batch 1024 --epochs 8 --conv-tf32 off --data-dir "$data"
        # W5 before the ResNets: it is issue 10's acceptance figure, and what runs late is cut first.
        kiln_bench kiln-sgemm 40 sgemm
        torch_bench torch-sgemm 40 sgemm
        # A step that its GEMMs bound (issue 10: "GEMM-bound steps within 10% of raw cuBLAS"; W1's are not, on an
        # H200): W1 with 4096-unit hidden layers at batch 4096, about 465 GFLOP a step. Its step time unprofiled,
        # its GEMMs run alone (gemm_replay_ms_per_step of the profiled run; summary.py sets one beside the other),
        # and PyTorch's step.
        kiln_bench kiln-mlp-w4096-4096-4 60 mlp --width 4096 --batch 4096 --epochs 4 --data-dir "$data"
        KILN_JAVA_OPTS="-Dkiln.profileOperations=true" kiln_bench profile-mlp-w4096-4096-3 60 mlp --width 4096 \
            --batch 4096 --epochs 3 --data-dir "$data"
        torch_bench torch-mlp-w4096-4096-4 40 mlp --width 4096 --batch 4096 --epochs 4 --data-dir "$data"
        KILN_JAVA_OPTS="-XX:StartFlightRecording=filename=$out/resnet18.jfr,settings=profile" \
            kiln_bench kiln-resnet18-5 60 resnet18 --epochs 5
        KILN_CUDA_TF32=1 kiln_bench kiln-resnet18-5-tf32 60 resnet18 --epochs 5
        for tf32 in on off; do
            torch_bench "torch-resnet18-5-tf32-$tf32" 40 resnet18 --epochs 5 --conv-tf32 "$tf32"
        done
        # Each convolution shape's algorithms timed on first use (KILN_CUDNN_BENCHMARK, PyTorch's cudnn.benchmark):
        # strict FP32 beside the heuristics' run above, and with TF32 on both sides.
        for tf32 in 0 1; do
            name="resnet18-5$([ "$tf32" = 1 ] && echo -tf32)-benchmark"
            KILN_CUDNN_BENCHMARK=1 KILN_CUDA_TF32=$tf32 kiln_bench "kiln-$name" 60 resnet18 --epochs 5
        done
        torch_bench torch-resnet18-5-tf32-benchmark 40 resnet18 --epochs 5 --conv-tf32 on --cudnn-benchmark on
        kiln_bench kiln-dispatch 40 dispatch
        KILN_BACKEND=cuda timeout 40 "$bundle/kiln.sh" bench conv > "$out/kiln-conv.txt" 2>&1
        tail -3 "$out/kiln-conv.txt"
        # W1 ran slower with a step graph than without (2 epochs, the JVM's first 940 steps): in steady state too?
        for graphs in on off; do
            kiln_bench "kiln-mlp-8-graphs-$graphs" 40 mlp --epochs 8 --cuda-graphs "$graphs" --data-dir "$data"
        done
        # GPU time per kernel of 400 launches in W2's second epoch at batch 1024 (an epoch is about 1,800 launches
        # with cuBLAS's and cuDNN's; Nsight Compute reads hardware counters on Firecracker machines, not on gVisor
        # ones: machine.txt and this file say which it was).
        ncu="$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)"
        if [ -n "$ncu" ]; then
            # W1 at batch 1024: about 20 launches a step, 59 steps an epoch; 300 of them in its third epoch.
            KILN_BACKEND=cuda timeout 90 "$ncu" --target-processes all --clock-control none \
                --metrics gpu__time_duration.sum --launch-skip 2500 --launch-count 300 --print-summary per-kernel \
                "$bundle/kiln.sh" bench mlp --batch 1024 --epochs 4 --data-dir "$data" > "$out/ncu-mlp-1024.txt" 2>&1
            grep -E "==PROF==|Kernel|gpu__time_duration" "$out/ncu-mlp-1024.txt" | head -40
            KILN_BACKEND=cuda timeout 120 "$ncu" --target-processes all --clock-control none \
                --metrics gpu__time_duration.sum --launch-skip 2500 --launch-count 400 --print-summary per-kernel \
                "$bundle/kiln.sh" bench lenet --batch 1024 --epochs 3 --data-dir "$data" \
                > "$out/ncu-lenet-1024.txt" 2>&1
            grep -E "==PROF==|Kernel|gpu__time_duration" "$out/ncu-lenet-1024.txt" | head -60
            # ResNet-18: about 250 kernels a step (194 of ours), 20 steps an epoch; 500 of them in its third epoch.
            KILN_BACKEND=cuda timeout 150 "$ncu" --target-processes all --clock-control none \
                --metrics gpu__time_duration.sum --launch-skip 11000 --launch-count 500 --print-summary per-kernel \
                "$bundle/kiln.sh" bench resnet18 --epochs 3 > "$out/ncu-resnet18.txt" 2>&1
            grep -E "==PROF==|Kernel|gpu__time_duration" "$out/ncu-resnet18.txt" | head -60
        else
            echo "no ncu on this machine" | tee "$out/ncu-lenet-1024.txt"
        fi ;;
    all)
        data="$root/target/gpu-data"
        timeout 240 "$bundle/run-tests.sh" --select-package dev.kiln.tests.cuda > "$out/parity.txt" 2>&1
        grep -E "tests (successful|failed|skipped)|✘" "$out/parity.txt" | tail -40
        timeout 60 "$bundle/run-tests.sh" --select-class dev.kiln.tests.memory.StepCountersTest \
            --select-class dev.kiln.tests.memory.CudaGraphStepTest > "$out/counters.txt" 2>&1
        grep -E "per warm step|per step on|Trainer epoch|tests (successful|failed)|✘" "$out/counters.txt"
        for workload in mlp lenet lstm; do
            kiln_bench "kiln-$workload" 45 "$workload" --epochs 2 --data-dir "$data"
            torch_bench "torch-$workload" 30 "$workload" --epochs 2 --data-dir "$data"
        done ;;
    *)
        echo "stage must be parity, suite, workloads, precision, graphs, large, pipeline, profile, explain or all, got '$stage'" >&2
        exit 2 ;;
esac
