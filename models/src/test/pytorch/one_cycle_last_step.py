"""OneCycleLR with anneal_strategy='linear' at its last steps (PyTorch 1.13), for OneCycleLastStepPyTorchTest: SGD
(momentum 0.9) under max_lr 1 for two and three phases, div_factor and final_div_factor, total_steps and pct_start;
then Adam with base_momentum 0.85 and max_momentum 0.99 over 3 steps. Prints, per setting, the rate and the momentum
(or beta1) after each of the last three steps. After the last one (step total_steps) PyTorch's formula runs past the
last phase: the rate goes negative and the momentum past max_momentum (Adam's beta1 past 1)."""
import warnings

import torch

warnings.filterwarnings('ignore')


def last_three(optimizer, schedule, total, momentum):
    values = []
    for _ in range(total):
        optimizer.step()
        schedule.step()
        group = optimizer.param_groups[0]
        values.append((group['lr'], group['betas'][0] if momentum == 'betas' else group['momentum']))
    return values[-3:]


def show(label, values):
    print('        // ' + label)
    print('        {' + ', '.join('%r, %r' % v for v in values) + '},')


for three in [False, True]:
    for div, final_div in [(25.0, 1e4), (10.0, 100.0), (4.0, 2.0)]:
        for total, pct in [(10, 0.3), (7, 0.25)]:
            p = torch.nn.Parameter(torch.zeros(1))
            sgd = torch.optim.SGD([p], lr=0.1, momentum=0.9)
            schedule = torch.optim.lr_scheduler.OneCycleLR(sgd, max_lr=1.0, total_steps=total, pct_start=pct,
                                                           anneal_strategy='linear', div_factor=div,
                                                           final_div_factor=final_div, three_phase=three)
            show('three_phase=%s, div_factor=%s, final_div_factor=%s, total_steps=%d, pct_start=%s'
                 % (three, div, final_div, total, pct), last_three(sgd, schedule, total, 'momentum'))
p = torch.nn.Parameter(torch.zeros(1))
adam = torch.optim.Adam([p], lr=0.1)
schedule = torch.optim.lr_scheduler.OneCycleLR(adam, max_lr=1.0, total_steps=3, pct_start=0.3,
                                               anneal_strategy='linear', base_momentum=0.85, max_momentum=0.99)
show('Adam, total_steps=3, pct_start=0.3, base_momentum=0.85, max_momentum=0.99', last_three(adam, schedule, 3, 'betas'))
