"""Checks torch's F.gelu backward against the written-out erf GELU (model.gelu's training path): repeated backward
passes of the same input must give the same, finite gradient. On this machine's torch 1.13 (Debian) the F.gelu
backward gave non-deterministic garbage inside the model (conv1 gradients off by up to ~1e3, sometimes ~1e19/inf).

  /usr/bin/python3 training/speech/gelu_check.py [--threads 2]
"""
import argparse
import math

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
for shape, transposed in [((16, 400, 96), False), ((16, 200, 384), False), ((16, 400, 96), True)]:
    x = torch.randn(shape) * 2
    g = torch.randn(shape[0], shape[2], shape[1]).transpose(1, 2) if transposed else torch.randn(shape)  # as conv_mm's
    ref = torch.autograd.grad(0.5 * x.requires_grad_() * (1 + torch.erf(x * (1 / math.sqrt(2)))), x, g)[0]
    worst, nonfinite = 0.0, 0
    for _ in range(10):
        gx = torch.autograd.grad(F.gelu(x), x, g)[0]
        nonfinite += int(not torch.isfinite(gx).all())
        worst = max(worst, (gx - ref).abs().max().item())
    print(f"{shape} grad {'non-contiguous' if transposed else 'contiguous'}: F.gelu backward vs erf formula, max abs diff over 10 runs {worst:.3g}, non-finite runs {nonfinite}")
