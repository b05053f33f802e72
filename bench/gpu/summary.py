#!/usr/bin/env python3
"""Tables from a device-check.sh results folder, for docs/GPU.md: each Kiln run beside the PyTorch run of the same
name (kiln-NAME.txt and torch-NAME[-late|-each].txt, whose last lines are JSON), the top rows of each operation
profile (profile-NAME.txt), and each profiled workload's step beside its GEMMs run on their own (issue 10: a
GEMM-bound step within 10% of raw cuBLAS), the step's time taken from an unprofiled Kiln run of the same workload
and batch.

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


def runs_table(folder):
    """Markdown rows: run, Kiln samples/s, PyTorch samples/s, ratio, accuracies, Kiln's wait share and counters."""
    rows = ['| run | Kiln samples/s | PyTorch samples/s | ratio | accuracy Kiln / PyTorch | loss wait share |'
            ' launches, syncs, loss waits, mallocs per step |', '| --- | --- | --- | --- | --- | --- | --- |']
    for path in sorted(glob.glob(os.path.join(folder, 'kiln-*.txt'))):
        name = os.path.basename(path)[len('kiln-'):-len('.txt')]
        kiln = last_json(path)
        if kiln is None or 'samples_per_s' not in kiln:
            rows.append(f'| {name} | failed (see {os.path.basename(path)}) | | | | | |')
            continue
        torch_name = re.sub(r'-wait-(true|false)$', lambda m: '-each' if m.group(1) == 'true' else '-late', name)
        candidates = [os.path.join(folder, f'torch-{n}.txt') for n in (torch_name, name)]
        torch = next((last_json(c) for c in candidates if os.path.exists(c)), None)
        ratio = '-'
        if torch and torch.get('samples_per_s'):
            ratio = f"{kiln['samples_per_s'] / torch['samples_per_s']:.2f}x"
        counters = ', '.join(figure(kiln, k, 2) for k in ('kernel_launches_per_step', 'host_synchronisations_per_step',
                                                           'async_read_waits_per_step', 'device_mallocs_per_step'))
        accuracy = f"{figure(kiln, 'test_accuracy', 4)} / {figure(torch, 'test_accuracy', 4)}"
        rows.append(f"| {name} | {figure(kiln, 'samples_per_s')} | {figure(torch, 'samples_per_s')} | {ratio} |"
                    f" {accuracy} | {figure(kiln, 'loss_wait_share', 2)} | {counters} |")
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


def gemm_table(folder):
    """Markdown rows: workload, batch, ms per step unprofiled, ms of its GEMMs replayed alone, their ratio."""
    unprofiled = {}
    for path in sorted(glob.glob(os.path.join(folder, 'kiln-*.txt'))):
        result = last_json(path)
        if result and result.get('samples_per_s') and not path.endswith('-wait-true.txt'):
            key = (result['workload'], result['batch'])
            if key not in unprofiled or result['epochs'] > unprofiled[key]['epochs']:
                unprofiled[key] = result
    rows = ['| workload | batch | step, ms (unprofiled run) | its GEMMs alone, ms | step / GEMMs |',
            '| --- | --- | --- | --- | --- |']
    for path in sorted(glob.glob(os.path.join(folder, 'profile-*.txt'))):
        profiled = last_json(path)
        if not profiled or 'gemm_replay_ms_per_step' not in profiled:
            continue
        key = (profiled['workload'], profiled['batch'])
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
    print('\n'.join(profile_tables(a.folder, a.rows)))
    print()
    print('\n'.join(gemm_table(a.folder)))


if __name__ == '__main__':
    main()
