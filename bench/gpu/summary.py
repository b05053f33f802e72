#!/usr/bin/env python3
"""Tables from a device-check.sh results folder, for docs/GPU.md: each Kiln run beside the PyTorch run of the same
name (kiln-NAME.txt and torch-NAME[-late|-each].txt, whose last lines are JSON) and beside PyTorch in the same
convolution precision where that run exists (a strict Kiln run NAME beside torch-NAME-strict or torch-NAME-tf32-off,
a Kiln run NAME-tf32 beside torch-NAME-tf32-on or torch-NAME: PyTorch's convolutions are TF32 by default, Kiln's
strict FP32), W5 (kiln-sgemm beside torch-sgemm), the top rows of each operation profile (profile-NAME.txt), and each profiled
workload's step beside its GEMMs run on their own (issue 10: a GEMM-bound step within 10% of raw cuBLAS), the step's
time taken from an unprofiled Kiln run of the same workload and batch in default settings.

Usage: python3 bench/gpu/summary.py RESULTS_DIR [--rows 8]
"""
import argparse
import glob
import json
import os
import re


def last_json(path):
    """The file's last line that parses as a JSON object, or None (a run that failed prints none)."""
    with open(path, errors='replace') as f:
        for line in reversed(f.read().splitlines()):
            line = line.strip()
            if line.startswith('{'):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
    return None


def figure(result, key, digits=1):
    value = result.get(key) if result else None
    return '-' if value is None else f'{value:,.{digits}f}' if isinstance(value, float) else str(value)


def first_result(folder, names):
    """The JSON result of the first of torch-NAME.txt for NAME in names that exists, or None."""
    paths = [os.path.join(folder, f'torch-{n}.txt') for n in names]
    return next((last_json(p) for p in paths if os.path.exists(p)), None)


def same_precision_names(name):
    """Names of PyTorch runs in the convolution precision of the Kiln run NAME (see the module's comment)."""
    if '-tf32' in name:
        # PyTorch's default run is TF32 too: torch-NAME without -tf32 where no -tf32-on run exists.
        return [name.replace('-tf32', '-tf32-on', 1), name.replace('-tf32', '', 1)]
    return [f'{name}-strict', f'{name}-tf32-off']


def ratio(kiln, torch):
    if torch and torch.get('samples_per_s'):
        return f"{kiln['samples_per_s'] / torch['samples_per_s']:.2f}x"
    return '-'


# kiln bench runs that train nothing: W5 has its own table, dispatch and conv are read in their files.
NOT_TRAINING = ('sgemm', 'dispatch', 'conv')


def runs_table(folder):
    """Markdown rows: run, Kiln samples/s, PyTorch's of the same name and in the same precision with the ratios,
    accuracies, peak tensor memory, Kiln's loss wait share and counters."""
    rows = ['| run | Kiln samples/s | PyTorch samples/s | ratio | PyTorch in the same precision | ratio |'
            ' accuracy Kiln / PyTorch | peak tensor MiB Kiln / PyTorch | loss wait share |'
            ' launches, syncs, loss waits, mallocs, page faults per step |',
            '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for path in sorted(glob.glob(os.path.join(folder, 'kiln-*.txt'))):
        name = os.path.basename(path)[len('kiln-'):-len('.txt')]
        if name in NOT_TRAINING:
            continue
        kiln = last_json(path)
        if kiln is None or 'samples_per_s' not in kiln:
            rows.append(f'| {name} | failed (see {os.path.basename(path)}) | | | | | | | | |')
            continue
        torch_name = re.sub(r'-wait-(true|false)$', lambda m: '-each' if m.group(1) == 'true' else '-late', name)
        # PyTorch as it runs by default: convolutions in TF32 (torch-NAME-tf32-on where the folder has both kinds).
        torch = first_result(folder, (torch_name, name, f'{name}-tf32-on'))
        alike = first_result(folder, same_precision_names(name))
        counters = ', '.join(figure(kiln, k, 2) for k in ('kernel_launches_per_step', 'host_synchronisations_per_step',
                                                           'async_read_waits_per_step', 'device_mallocs_per_step',
                                                           'minor_page_faults_per_step'))
        accuracy = f"{figure(kiln, 'test_accuracy', 4)} / {figure(torch or alike, 'test_accuracy', 4)}"
        memory = f"{figure(kiln, 'peak_tensor_mib')} / {figure(torch or alike, 'peak_gpu_mib')}"
        rows.append(f"| {name} | {figure(kiln, 'samples_per_s')} | {figure(torch, 'samples_per_s')} |"
                    f" {ratio(kiln, torch)} | {figure(alike, 'samples_per_s')} | {ratio(kiln, alike)} | {accuracy} |"
                    f" {memory} | {figure(kiln, 'loss_wait_share', 2)} | {counters} |")
    return rows


def sgemm_table(folder):
    """Markdown rows of W5: N, Kiln's GFLOP/s, PyTorch's (torch.mm), their ratio."""
    kiln_path, torch_path = (os.path.join(folder, f'{who}-sgemm.txt') for who in ('kiln', 'torch'))
    kiln = last_json(kiln_path) if os.path.exists(kiln_path) else None
    torch = last_json(torch_path) if os.path.exists(torch_path) else None
    rows = ['| N | Kiln GFLOP/s | PyTorch GFLOP/s | Kiln / PyTorch |', '| --- | --- | --- | --- |']
    for n in (512, 1024, 2048, 4096):
        k = kiln.get(f'gflops_{n}') if kiln else None
        t = torch.get(f'gflops_{n}') if torch else None
        rows.append(f"| {n} | {'-' if k is None else k} | {'-' if t is None else t} |"
                    f" {'-' if not k or not t else f'{k / t:.2f}x'} |")
    return rows


def profile_tables(folder, rows):
    """The header and the first rows of each operation profile, as printed by kiln bench."""
    out = []
    for path in sorted(glob.glob(os.path.join(folder, 'profile-*.txt'))):
        with open(path, errors='replace') as f:
            lines = f.read().splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith('operations per step')), None)
        out.append(f'{os.path.basename(path)}:')
        if start is None:
            out.append('    no profile (see the file)')
            continue
        table = lines[start:start + 2 + rows]
        total = next((line for line in lines[start:] if ' all ' in line and line.strip().endswith('operations')), None)
        out.extend('    ' + line for line in table + ([total] if total else []))
    return out


# Runs whose names say they changed a default setting: not the step a profile's GEMMs are compared with.
NOT_DEFAULT = ('-tf32', '-graphs-on', '-benchmark', '-wait-true', '-bf16')


def run_key(result):
    """A run's workload (with its width where kiln bench mlp --width set one) and batch."""
    width = result.get('width')
    workload = result['workload'] if width in (None, 512) else f"{result['workload']} width {width}"
    return workload, result['batch']


def gemm_table(folder):
    """Markdown rows: workload, batch, ms per step unprofiled, ms of its GEMMs replayed alone, their ratio."""
    unprofiled = {}
    for path in sorted(glob.glob(os.path.join(folder, 'kiln-*.txt'))):
        result = last_json(path)
        if result and result.get('samples_per_s') and not any(s in os.path.basename(path) for s in NOT_DEFAULT):
            key = run_key(result)
            if key not in unprofiled or result['epochs'] > unprofiled[key]['epochs']:
                unprofiled[key] = result
    rows = ['| workload | batch | step, ms (unprofiled run) | its GEMMs alone, ms | step / GEMMs |',
            '| --- | --- | --- | --- | --- |']
    for path in sorted(glob.glob(os.path.join(folder, 'profile-*.txt'))):
        profiled = last_json(path)
        if not profiled or 'gemm_replay_ms_per_step' not in profiled:
            continue
        key = run_key(profiled)
        gemms = profiled['gemm_replay_ms_per_step']
        run = unprofiled.get(key)
        step = 1000 * key[1] / run['samples_per_s'] if run else None
        rows.append(f"| {key[0]} | {key[1]} | {'-' if step is None else f'{step:.3f}'} | {gemms:.3f} |"
                    f" {'-' if step is None or not gemms else f'{step / gemms:.2f}'} |")
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument('folder')
    p.add_argument('--rows', type=int, default=8)
    a = p.parse_args()
    print('\n'.join(runs_table(a.folder)))
    print()
    print('\n'.join(sgemm_table(a.folder)))
    print()
    print('\n'.join(profile_tables(a.folder, a.rows)))
    print()
    print('\n'.join(gemm_table(a.folder)))


if __name__ == '__main__':
    main()
