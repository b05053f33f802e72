"""Prints GradScalerValues.java (models, dev.kiln.optim): torch.cuda.amp.GradScaler of PyTorch 1.13 driven on the CPU.

PyTorch 1.13's GradScaler is CUDA-only: on a machine without CUDA it disables itself, and its two kernels,
torch._amp_foreach_non_finite_check_and_unscale_ and torch._amp_update_scale_, have no CPU implementation. This script
runs GradScaler's own Python code (stages, unscale_, step, update, state_dict, load_state_dict) with the availability
check and the per-device copies' GPU assertion turned off and those two kernels restated below in Python as their CUDA kernels compute them; scale(loss) asserts
a CUDA tensor, so the scaled loss is formed as it forms it, loss * scaler._scale.
"""
import math

import torch
import torch.cuda.amp.grad_scaler as grad_scaler


def non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    """found_inf = 1 where any gradient element (before unscaling) is inf or NaN; every gradient *= inv_scale."""
    for g in grads:
        if not torch.isfinite(g).all():
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    """The CUDA kernel's rule: F32 scale times a double factor, rounded to F32; never grown to infinity."""
    if found_inf.item():
        scale.fill_(scale.item() * backoff_factor)
        growth_tracker.fill_(0)
    else:
        successful = growth_tracker.item() + 1
        if successful == growth_interval:
            grown = torch.tensor(scale.item() * growth_factor, dtype=torch.float32).item()
            if math.isfinite(grown):
                scale.fill_(grown)
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)
    return scale


class CpuReplicator(grad_scaler._MultiDeviceReplicator):
    """GradScaler's per-device copies, without the assertion that the master copy is on a GPU."""

    def __init__(self, master_tensor):
        self.master = master_tensor
        self._per_device_tensors = {}


grad_scaler.amp_definitely_not_available = lambda: False
grad_scaler._MultiDeviceReplicator = CpuReplicator
torch._amp_foreach_non_finite_check_and_unscale_ = non_finite_check_and_unscale_
torch._amp_update_scale_ = update_scale_


def pattern(n, seed):
    return [0.5 * math.sin(0.7 * k + 1.3 * seed + 0.1) for k in range(n)]


def scaled(scaler, loss):
    if scaler._scale is None:
        scaler._lazy_init_scale_growth_tracker(loss.device)
    return loss * scaler._scale


def array(declaration, items):
    """A Java array initialiser, wrapped at 120 columns."""
    lines, line = [], "    " + declaration + " = {"
    for i, item in enumerate(items):
        piece = item + (", " if i + 1 < len(items) else "};")
        if len(line) + len(piece.rstrip()) > 120:
            lines.append(line.rstrip())
            line = "            "
        line += piece
    lines.append(line)
    print("\n".join(lines))


def training():
    """Linear(4, 3) + SGD(lr 0.05), loss mean(y^2), growth_interval 2; step 3's input overflows (inf gradients),
    step 6's holds a NaN; even steps unscale_ and clip_grad_norm_(0.5) before step."""
    model = torch.nn.Linear(4, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(pattern(12, 1)).reshape(3, 4))
        model.bias.copy_(torch.tensor(pattern(3, 2)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    scaler = grad_scaler.GradScaler(growth_interval=2)
    scales, trackers, stepped, weights, biases = [], [], [], [], []
    for t in range(1, 11):
        x = torch.tensor(pattern(8, 10 + t)).reshape(2, 4)
        if t == 3:
            x = x * 1e25
        if t == 6:
            x[1, 2] = float("nan")
        optimizer.zero_grad()
        loss = model(x).square().mean()
        scaled(scaler, loss).backward()
        before = model.weight.detach().clone()
        if t % 2 == 0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        scaler.step(optimizer)
        stepped.append(not torch.equal(before, model.weight.detach()))
        scaler.update()
        scales.append(scaler.get_scale())
        trackers.append(scaler._growth_tracker.item())
        weights.extend(model.weight.detach().flatten().tolist())
        biases.extend(model.bias.detach().tolist())
    return scaler, scales, trackers, stepped, weights, biases


def update_rule():
    """update() alone after found-inf flags, with non-power-of-two factors and a scale that would grow past F32."""
    cases = []
    for init, growth, backoff, interval, flags in ((3.0, 1.7, 0.3, 2, [0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0]),
                                                   (2.0 ** 126, 4.0, 0.5, 1, [0, 0, 1, 0])):
        scaler = grad_scaler.GradScaler(init_scale=init, growth_factor=growth, backoff_factor=backoff,
                                        growth_interval=interval)
        p = torch.nn.Parameter(torch.ones(2))
        optimizer = torch.optim.SGD([p], lr=0.1)
        scales = []
        for flag in flags:
            optimizer.zero_grad()
            scaled(scaler, (p * (float("inf") if flag else 1.0)).sum()).backward()
            scaler.step(optimizer)
            scaler.update()
            scales.append(scaler.get_scale())
        cases.append((init, growth, backoff, interval, flags, scales))
    return cases


def sparse():
    """Embedding(5, 3, sparse=True) + SGD(lr 0.1), loss sum(embedding(idx) * x) with row 2 looked up twice; step 2's
    x holds an infinity. PyTorch unscales a sparse gradient's values (uncoalesced) and checks them for inf and NaN."""
    table = torch.nn.Embedding(5, 3, sparse=True)
    with torch.no_grad():
        table.weight.copy_(torch.tensor(pattern(15, 7)).reshape(5, 3))
    optimizer = torch.optim.SGD(table.parameters(), lr=0.1)
    scaler = grad_scaler.GradScaler()
    idx = torch.tensor([[0, 2], [2, 4]])
    scales, stepped, weights = [], [], []
    for t in range(1, 4):
        x = torch.tensor(pattern(12, 20 + t)).reshape(2, 2, 3)
        if t == 2:
            x[1, 0, 1] = float("inf")
        optimizer.zero_grad()
        scaled(scaler, (table(idx) * x).sum()).backward()
        before = table.weight.detach().clone()
        scaler.step(optimizer)
        stepped.append(not torch.equal(before, table.weight.detach()))
        scaler.update()
        scales.append(scaler.get_scale())
        weights.extend(table.weight.detach().flatten().tolist())
    return scales, stepped, weights


def main():
    scaler, scales, trackers, stepped, weights, biases = training()
    state = scaler.state_dict()
    restored = grad_scaler.GradScaler()
    restored.load_state_dict(state)
    print("package dev.kiln.optim;")
    print()
    print("/** Generated by models/src/test/pytorch/grad_scaler.py (PyTorch " + torch.__version__ + "). */")
    print("final class GradScalerValues {")
    print("    /** Linear(4, 3) + SGD: the scale and growth tracker after each update(), whether step() stepped. */")
    array("static final double[] TRAINING_SCALES", [repr(float(v)) for v in scales])
    array("static final int[] TRAINING_TRACKERS", [str(v) for v in trackers])
    array("static final boolean[] TRAINING_STEPPED", [str(v).lower() for v in stepped])
    print("    /** The weight [3, 4] and bias [3] after each step, one after another. */")
    array("static final double[] TRAINING_WEIGHTS", [repr(float(v)) for v in weights])
    array("static final double[] TRAINING_BIASES", [repr(float(v)) for v in biases])
    print("    /** state_dict() at the end, in PyTorch's key order; get_scale() of a fresh GradScaler that loaded it. */")
    array("static final String[] STATE_KEYS", ['"' + k + '"' for k in state])
    array("static final double[] STATE_VALUES", [repr(float(v)) for v in state.values()])
    print("    static final double RESTORED_SCALE = " + repr(float(restored.get_scale())) + ";")
    for i, (init, growth, backoff, interval, flags, rule_scales) in enumerate(update_rule()):
        print("    /**")
        print("     * init_scale " + repr(init) + ", growth_factor " + repr(growth) + ", backoff_factor " + repr(backoff)
              + ", growth_interval " + str(interval) + ":")
        print("     * whether each step's gradients hold an infinity, and get_scale() after each update().")
        print("     */")
        array("static final double[] RULE%d_SETTINGS" % i, [repr(float(v)) for v in (init, growth, backoff, interval)])
        array("static final boolean[] RULE%d_INF" % i, ["true" if f else "false" for f in flags])
        array("static final double[] RULE%d_SCALES" % i, [repr(float(v)) for v in rule_scales])
    sparse_scales, sparse_stepped, sparse_weights = sparse()
    print("    /** Embedding(5, 3, sparse=True) + SGD: get_scale() after each update(), whether step() stepped. */")
    array("static final double[] SPARSE_SCALES", [repr(float(v)) for v in sparse_scales])
    array("static final boolean[] SPARSE_STEPPED", [str(v).lower() for v in sparse_stepped])
    print("    /** The embedding's weight [5, 3] after each step, one after another. */")
    array("static final double[] SPARSE_WEIGHTS", [repr(float(v)) for v in sparse_weights])
    print()
    print("    private GradScalerValues() {")
    print("    }")
    print("}")


if __name__ == "__main__":
    main()
