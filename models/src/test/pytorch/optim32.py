import torch
START = [0.5, -1.0, 2.0]
GRADS = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.1, -0.3], [0.3, -0.1, 0.2],
         [-0.1, 0.3, 0.1], [0.25, -0.05, -0.2], [0.05, 0.2, 0.15], [-0.3, -0.15, 0.05]]
def run(name, make, steps=4):
    p = torch.tensor(START, dtype=torch.float32, requires_grad=True); opt = make([p]); print(name)
    for t in range(steps):
        p.grad = torch.tensor(GRADS[t], dtype=torch.float32); opt.step()
        print("  {" + ", ".join(repr(v) for v in p.detach().tolist()) + "},")
O = torch.optim
run("SGD f32", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05))
run("Adam f32", lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.05))
run("AdamW f32", lambda ps: O.AdamW(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05))
run("RMSprop f32", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5))
run("Adagrad f32", lambda ps: O.Adagrad(ps, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2))
run("SGD dampening f32", lambda ps: O.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05))
run("Adam amsgrad f32", lambda ps: O.Adam(ps, lr=0.1, betas=(0.8, 0.9), eps=1e-8, weight_decay=0.05, amsgrad=True))
run("AdamW amsgrad f32", lambda ps: O.AdamW(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05, amsgrad=True))
run("RMSprop centered f32", lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5, centered=True))
run("NAdam f32", lambda ps: O.NAdam(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), 8)
run("RAdam f32", lambda ps: O.RAdam(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), 8)
run("Adamax f32", lambda ps: O.Adamax(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.05), 8)
run("Adadelta f32", lambda ps: O.Adadelta(ps, lr=0.5, rho=0.8, eps=0.01, weight_decay=0.05), 8)
