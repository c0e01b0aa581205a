#!/usr/bin/python3
"""Reference values for nn's Adam tests (TestAdamMatchesTorch).

Two float32 parameters, loss = sum(c*p) + 0.5*sum(p**2) (gradient c + p),
five steps of torch.optim.Adam(lr=0.1) — once plain, once with
torch.nn.utils.clip_grad_norm_(max_norm=0.5) before each step.
Run: /usr/bin/python3 adam_torch.py  (Debian python3-torch 1.13).
"""
import torch

print("# torch", torch.__version__)
for clip in (0.0, 0.5):
    a = torch.tensor([[0.5, -1.0, 2.0], [0.25, -0.75, 1.5]], requires_grad=True)
    b = torch.tensor([-2.0, 0.125, 3.0, -0.5], requires_grad=True)
    ca = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    cb = torch.tensor([0.25, -0.5, 2.0, -3.0])
    opt = torch.optim.Adam([a, b], lr=0.1)
    for _ in range(5):
        opt.zero_grad()
        loss = (ca * a).sum() + (cb * b).sum() + 0.5 * (a ** 2).sum() + 0.5 * (b ** 2).sum()
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_([a, b], clip)
        opt.step()
    print("clip", clip)
    print("a", [f"{v:.9g}" for v in a.detach().flatten().tolist()])
    print("b", [f"{v:.9g}" for v in b.detach().flatten().tolist()])
