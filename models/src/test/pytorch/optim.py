import torch
torch.set_default_dtype(torch.float64)
START = [0.5, -1.0, 2.0]
GRADS = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.1, -0.3], [0.3, -0.1, 0.2],
         [-0.1, 0.3, 0.1], [0.25, -0.05, -0.2], [0.05, 0.2, 0.15], [-0.3, -0.15, 0.05]]

def run(name, make, steps=4):
    p = torch.tensor(START, requires_grad=True)
    opt = make([p])
    print(name)
    for t in range(steps):
        p.grad = torch.tensor(GRADS[t])
        opt.step()
        print("  {" + ", ".join(repr(v) for v in p.detach().tolist()) + "},")
    return opt

O = torch.optim
run("SGD lr=0.1", lambda ps: O.SGD(ps, lr=0.1))
run("SGD lr=0.1 wd=0.05", lambda ps: O.SGD(ps, lr=0.1, weight_decay=0.05))
run("SGD lr=0.1 mom=0.9", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9))
run("SGD lr=0.1 mom=0.9 wd=0.05", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.05))
run("SGD lr=0.1 mom=0.9 nesterov wd=0.05", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05))
run("Adam lr=0.1 betas=(0.8,0.9) eps=1e-8", lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8))
run("Adam lr=0.1 betas=(0.8,0.9) eps=0.1 wd=0.05", lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05))
run("AdamW lr=0.1 betas=(0.8,0.9) eps=0.1 wd=0.05", lambda ps: O.AdamW(ps, lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05))
run("AdamW lr=0.1 defaults", lambda ps: O.AdamW(ps, lr=0.1))
run("RMSprop lr=0.01 alpha=0.9 eps=0.1", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=0.1))
run("RMSprop lr=0.01 alpha=0.9 eps=0.1 mom=0.5 wd=0.05", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=0.1, momentum=0.5, weight_decay=0.05))
run("Adagrad lr=0.1", lambda ps: O.Adagrad(ps, lr=0.1))
run("Adagrad lr=0.1 lr_decay=0.1 iav=0.2 eps=0.1 wd=0.05", lambda ps: O.Adagrad(ps, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2, eps=0.1, weight_decay=0.05))

# param groups
a = torch.tensor([0.5, -1.0], requires_grad=True); b = torch.tensor([2.0], requires_grad=True)
opt = O.Adam([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.01, 'weight_decay': 0.05}], lr=0.5, betas=(0.8, 0.9))
print("Adam groups")
for t in range(4):
    a.grad = torch.tensor(GRADS[t][:2]); b.grad = torch.tensor(GRADS[t][2:])
    opt.step()
    print("  ", a.tolist(), b.tolist())
sd = opt.state_dict()
print(sd['state'].keys(), {k: list(v.keys()) for k, v in sd['state'].items()}, sd['state'][0]['step'])
print(sd['param_groups'])
a = torch.tensor([0.5, -1.0], requires_grad=True); b = torch.tensor([2.0], requires_grad=True)
opt = O.SGD([{'params': [a]}, {'params': [b], 'lr': 0.01}], lr=0.1, momentum=0.9)
print("SGD groups")
for t in range(4):
    a.grad = torch.tensor(GRADS[t][:2]); b.grad = torch.tensor(GRADS[t][2:])
    opt.step()
    print("  ", a.tolist(), b.tolist())
print({k: list(v.keys()) for k, v in opt.state_dict()['state'].items()})

# the options added later: dampening, amsgrad, centered
run("SGD lr=0.1 mom=0.9 dampening=0.3 wd=0.05", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05))
run("Adam lr=0.1 betas=(0.8,0.9) eps=1e-8 wd=0.05 amsgrad", lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.05, amsgrad=True))
run("AdamW lr=0.1 betas=(0.8,0.9) eps=0.1 wd=0.05 amsgrad", lambda ps: O.AdamW(ps, lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05, amsgrad=True))
run("RMSprop lr=0.01 alpha=0.9 eps=0.1 centered", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=0.1, centered=True))
run("RMSprop lr=0.01 alpha=0.9 eps=1e-8 mom=0.5 wd=0.05 centered", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5, weight_decay=0.05, centered=True))

# the optimizers added later, 8 steps (RAdam's rectification starts at step 6 with beta2=0.9)
run("NAdam lr=0.1 betas=(0.8,0.9) eps=1e-8", lambda ps: O.NAdam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8), 8)
run("NAdam lr=0.1 eps=0.1 momentum_decay=0.1 wd=0.05", lambda ps: O.NAdam(ps, lr=0.1, eps=0.1, momentum_decay=0.1, weight_decay=0.05), 8)
run("NAdam lr=0.1 defaults", lambda ps: O.NAdam(ps, lr=0.1), 8)
run("RAdam lr=0.1 betas=(0.8,0.9) eps=1e-8", lambda ps: O.RAdam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8), 8)
run("RAdam lr=0.1 betas=(0.8,0.9) eps=0.1 wd=0.05", lambda ps: O.RAdam(ps, lr=0.1, betas=(0.8, 0.9), eps=0.1, weight_decay=0.05), 8)
run("RAdam lr=0.1 defaults", lambda ps: O.RAdam(ps, lr=0.1), 8)
run("Adamax lr=0.1 betas=(0.8,0.9) eps=1e-8", lambda ps: O.Adamax(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8), 8)
run("Adamax lr=0.1 eps=0.1 wd=0.05", lambda ps: O.Adamax(ps, lr=0.1, eps=0.1, weight_decay=0.05), 8)
run("Adadelta lr=1.0 defaults", lambda ps: O.Adadelta(ps), 8)
run("Adadelta lr=0.5 rho=0.8 eps=0.01 wd=0.05", lambda ps: O.Adadelta(ps, lr=0.5, rho=0.8, eps=0.01, weight_decay=0.05), 8)
