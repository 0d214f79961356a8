"""Train the shapes autoencoder (SD VAE interface, 64x64x3 <-> 8x8x4).
  /usr/bin/python3 train_vae.py [--steps 1200] [--batch 32] [--seed 0] [--threads 2]
Writes ckpt/vae.pt (weights + scaling_factor = 1/std of the latent means) and logs to ckpt/vae.log.
Loss: MSE(pixels) + 1e-5 * KL (a nearly deterministic VAE, as SD's).
  /usr/bin/python3 train_vae.py --decoder-only --steps 800 --minutes 8 --lr 1e-3
then fine-tunes only the decoder (MSE + 0.5 L1), keeping the encoder and scaling_factor."""
import argparse
import math
import json
import os
import time

import numpy as np
import torch

from data import sample_batch, to_tensor_range
from models import VaeDecoder, VaeEncoder, nparams

HERE = os.path.dirname(os.path.abspath(__file__))


def recon_check(enc, dec):
    """fraction of the 168 combos (fixed render) whose reconstruction the evaluator's rule scores correct."""
    from classify import classify
    from data import all_combos, render
    combos = all_combos()
    imgs = render(combos, np.random.default_rng(5))
    was = dec.training
    dec.eval()
    with torch.no_grad():
        y = dec(enc(torch.from_numpy(to_tensor_range(imgs)))[:, :4])
    dec.train(was)
    y8 = np.round(((y / 2 + 0.5).clamp(0, 1) * 255).permute(0, 2, 3, 1).numpy()).astype(np.uint8)
    ok = np.array([[r[0] == c[2], r[1] == c[1], r[2] == c[0]] for r, c in zip(map(classify, y8), combos)])
    return f"bg {ok[:, 0].mean():.3f} fg {ok[:, 1].mean():.3f} shape {ok[:, 2].mean():.3f} all {ok.all(1).mean():.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=0, help="stop (and save) after this much training time; 0 = no limit")
    ap.add_argument("--kl", type=float, default=1e-5)
    ap.add_argument("--edge", type=float, default=0.0, help="decoder-only: extra L1 weight on pixels within 1 px of an edge of the target, plus a gradient-difference loss of the same weight (sharp corners / triangle apexes)")
    ap.add_argument("--decoder-only", action="store_true",
                    help="fine-tune only the decoder of ckpt/vae.pt (encoder and scaling_factor kept, so latents and a UNet trained on them stay valid); the previous checkpoint is kept as ckpt/vae_stage1.pt")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    enc, dec = VaeEncoder(), VaeDecoder()
    print(f"encoder {nparams(enc)} params, decoder {nparams(dec)} params", flush=True)
    params = list(enc.parameters()) + list(dec.parameters())
    if a.decoder_only:
        prev = torch.load(os.path.join(HERE, "ckpt", "vae.pt"))
        enc.load_state_dict(prev["encoder"]); dec.load_state_dict(prev["decoder"])
        if not os.path.exists(os.path.join(HERE, "ckpt", "vae_stage1.pt")):
            torch.save(prev, os.path.join(HERE, "ckpt", "vae_stage1.pt"))
        enc.requires_grad_(False); enc.eval()
        params = list(dec.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.0)
    os.makedirs(os.path.join(HERE, "ckpt"), exist_ok=True)
    log = open(os.path.join(HERE, "ckpt", "vae_decoder.log" if a.decoder_only else "vae.log"), "w")
    t0 = time.time()
    last_pause = t0
    for step in range(1, a.steps + 1):
        imgs, _, _ = sample_batch(rng, a.batch)
        x = torch.from_numpy(to_tensor_range(imgs))
        if a.decoder_only:
            with torch.no_grad():
                p = enc(x)
        else:
            p = enc(x)
        mean, logvar = p[:, :4], p[:, 4:].clamp(-30, 20)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        y = dec(z)
        rec = ((y - x) ** 2).mean()
        if a.decoder_only:  # + L1 for sharper edges
            rec = rec + 0.5 * (y - x).abs().mean()
            if a.edge:
                gx, gy = x[..., :, 1:] - x[..., :, :-1], x[..., 1:, :] - x[..., :-1, :]
                e = torch.zeros_like(x[:, :1])
                e[..., :, 1:] += gx.abs().sum(1, keepdim=True); e[..., 1:, :] += gy.abs().sum(1, keepdim=True)
                e = torch.nn.functional.max_pool2d((e > 0.05).float(), 3, 1, 1)
                hx, hy = y[..., :, 1:] - y[..., :, :-1], y[..., 1:, :] - y[..., :-1, :]
                rec = rec + a.edge * ((e * (y - x).abs()).sum() / (3 * e.sum() + 1) + 0.5 * ((hx - gx).abs().mean() + (hy - gy).abs().mean()))
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).sum(dim=(1, 2, 3)).mean()
        loss = rec + a.kl * kl
        prog = step / a.steps
        if a.minutes:
            prog = max(prog, (time.time() - t0) / (60 * a.minutes))
        for gr in opt.param_groups:
            gr['lr'] = a.lr * min(1.0, step / (0.03 * a.steps + 1)) * 0.5 * (1 + math.cos(math.pi * min(prog, 1.0)))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 50 == 0 or step == a.steps:
            msg = f"step {step} rec {rec.item():.5f} kl {kl.item():.1f} elapsed {time.time() - t0:.1f}s"
            print(msg, flush=True)
            log.write(msg + "\n"); log.flush()
        if a.decoder_only and (step % 400 == 0):
            r = recon_check(enc, dec)
            print(f"  recon check (evaluator rule, 168 combos): {r}", flush=True)
            log.write(f"  recon check step {step}: {r}\n")
        if time.time() - last_pause > 60:  # leave the machine a short gap now and then
            time.sleep(1.0)
            last_pause = time.time()
        if a.minutes and time.time() - t0 > 60 * a.minutes:
            print(f"time budget reached at step {step}", flush=True); log.write(f"stopped at step {step}\n")
            break
    enc.eval(); dec.eval()
    with torch.no_grad():
        imgs, _, _ = sample_batch(np.random.default_rng(999), 256)
        x = torch.from_numpy(to_tensor_range(imgs))
        mean = enc(x)[:, :4]
        std = mean.std().item()
        rec = ((dec(mean) - x) ** 2).mean().item()
    scaling = prev["scaling_factor"] if a.decoder_only else 1.0 / std
    msg = f"done: {step} steps, {time.time() - t0:.1f}s, eval rec mse {rec:.5f} (pixels in [-1,1]), latent std {std:.4f}, scaling_factor {scaling:.5f}"
    print(msg); log.write(msg + "\n"); log.close()
    torch.save({"encoder": enc.state_dict(), "decoder": dec.state_dict(), "scaling_factor": scaling,
                "args": vars(a), "seconds": time.time() - t0, "steps": step}, os.path.join(HERE, "ckpt", "vae.pt"))


if __name__ == "__main__":
    main()
