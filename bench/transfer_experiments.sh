#!/usr/bin/env bash
# The transfer-learning and pretraining experiments of docs/TRANSFER.md, end to end:
#   (a) LeNet trained on all of Fashion-MNIST, transferred to MNIST with 100 labelled images per class:
#       frozen features + new head, full fine-tuning, and the same network from scratch on the same images;
#   (b) an autoencoder pretrained on the 60,000 MNIST training images without labels, its encoder fine-tuned
#       with 100 labels per class, against the same classifier from scratch.
# Every arm trains 15 epochs, batch 32, Adam; the head learns at lr 1e-3 in every arm, and the frozen-feature
# arms also at 1e-2 (with frozen features only the 5,010 or 650 head parameters train, and at 1e-3 their
# training loss was still falling steeply after 15 epochs).
# Each fine-tuning arm runs once per seed (the seed picks the 1,000 images, the head's initial weights and the
# batch order; the pretrained networks are trained once, with seed 1). Then prints the table.
# Usage: bench/transfer_experiments.sh [OUT]        (KILN=path/to/kiln, SEEDS="1 2 3" to override)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kiln="${KILN:-$root/kiln}"
out="${1:-runs/transfer}"
seeds="${SEEDS:-1 2 3}"
recipe=(--data mnist --per-class 100 --epochs 15 --batch 32)

[ -f "$out/fashion-lenet/checkpoint.safetensors" ] ||
  "$kiln" train lenet --data fashion-mnist --epochs 2 --seed 1 --out "$out/fashion-lenet"
[ -f "$out/mnist-dae/checkpoint.safetensors" ] ||
  "$kiln" pretrain denoising --data mnist --epochs 10 --seed 1 --out "$out/mnist-dae"

lenet="$out/fashion-lenet/checkpoint.safetensors"
dae="$out/mnist-dae/checkpoint.safetensors"
for s in $seeds; do
  run() { local dir="$out/$1-$s"; shift; [ -f "$dir/metrics.json" ] || "$kiln" finetune "$@" "${recipe[@]}" --seed "$s" --out "$dir"; }
  run a-frozen --from "$lenet" --freeze all --lr 1e-3
  run a-frozen-lr1e-2 --from "$lenet" --freeze all --lr 1e-2
  run a-full --from "$lenet" --freeze none --lr 1e-3
  run a-scratch --from "$lenet" --freeze none --weights random --lr 1e-3
  run b-frozen --from "$dae" --freeze all --lr 1e-3
  run b-frozen-lr1e-2 --from "$dae" --freeze all --lr 1e-2
  run b-full --from "$dae" --freeze none --lr 1e-3
  run b-scratch --from "$dae" --freeze none --weights random --lr 1e-3
done

python3 - "$out" $seeds <<'PY'
import json, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
arms = [("a-frozen", "(a) Fashion-MNIST LeNet, frozen features + new head"),
        ("a-frozen-lr1e-2", "(a) the same, head lr 1e-2"),
        ("a-full", "(a) Fashion-MNIST LeNet, full fine-tuning"),
        ("a-scratch", "(a) LeNet from scratch"),
        ("b-frozen", "(b) MNIST denoising-AE encoder, frozen + new head"),
        ("b-frozen-lr1e-2", "(b) the same, head lr 1e-2"),
        ("b-full", "(b) MNIST denoising-AE encoder, full fine-tuning"),
        ("b-scratch", "(b) the same MLP from scratch")]
print("| arm | test accuracy per seed (" + ", ".join(seeds) + ") | mean | std | trainable params | wall s per run (mean) |")
print("| --- | --- | --- | --- | --- | --- |")
for key, name in arms:
    runs = [json.load(open(f"{out}/{key}-{s}/metrics.json")) for s in seeds]
    acc = [r["test_accuracy"] for r in runs]
    std = statistics.stdev(acc) if len(acc) > 1 else 0.0
    print(f"| {name} | {', '.join(f'{a:.4f}' for a in acc)} | {statistics.mean(acc):.4f} | {std:.4f} "
          f"| {runs[0]['trainable_params']:,} | {statistics.mean(r['seconds'] for r in runs):.1f} |")
for key in ("fashion-lenet", "mnist-dae"):
    m = json.load(open(f"{out}/{key}/metrics.json"))
    print(f"{key}: " + ", ".join(f"{k} {m[k]}" for k in m if k in ("test_accuracy", "test_reconstruction_mse", "epochs", "seconds")))
PY
