"""Train the text encoder + UNet jointly on VAE latents of the shapes dataset (DDPM epsilon objective,
SD's scaled_linear schedule: beta 0.00085..0.012 over 1000 steps; the caption is dropped to "" with
probability --uncond for classifier-free guidance).
  /usr/bin/python3 train_unet.py [--steps 3000] [--batch 64] [--latents 12000] [--seed 0] [--threads 2]
Needs ckpt/vae.pt (train_vae.py). Writes ckpt/unet.pt (text encoder + UNet) and ckpt/unet.log, and
ckpt/unet_samples.png (a DDIM sample grid of held-out prompts, torch-side sanity check)."""
import argparse
import copy
import math
import os
import time

import numpy as np
import torch

from data import COLOUR_NAMES, EXTRA_TRAIN_TEMPLATES, SHAPES, TRAIN_TEMPLATES, WORDS, caption, heldout_prompts, render, split_combos, to_tensor_range
from models import TextEncoder, UNet, VaeDecoder, VaeEncoder, nparams
from tokenizer import shapes_tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


def schedule():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    return torch.cumprod(1 - betas, 0).float()


@torch.no_grad()
def ddim_sample(unet, te, tok, prompts, steps=20, scale=7.5, seed=0):
    ac = schedule()
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(len(prompts), 4, 8, 8, generator=g)
    ids = torch.tensor([tok.encode(p) for p in prompts])
    neg = torch.tensor([tok.encode("")] * len(prompts))
    ctx = torch.cat([te(neg)[0], te(ids)[0]])
    ts = list(range(0, 1000, 1000 // steps))[::-1]
    for i, t in enumerate(ts):
        e = unet(torch.cat([x, x]), torch.tensor(float(t)), ctx)
        eu, ec = e.chunk(2)
        e = eu + scale * (ec - eu)
        a = ac[t]
        ap = ac[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
        x0 = (x - (1 - a).sqrt() * e) / a.sqrt()
        x = ap.sqrt() * x0 + (1 - ap).sqrt() * e
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--latents", type=int, default=12000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--uncond", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resume", action="store_true", help="start from ckpt/unet.pt (weights and optimizer state) with a fresh lr schedule")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=0, help="stop (and save) after this much training time; 0 = no limit")
    ap.add_argument("--ctx-len", type=int, default=16, help="UNet cross-attends to the first N text positions (0 = all 77)")
    ap.add_argument("--te-layers", type=int, default=3)
    ap.add_argument("--aux", type=float, default=0.1, help="weight of the auxiliary (shape, fg, bg) classification loss on the text encoder's pooler_output (heads not exported)")
    ap.add_argument("--noise-words", type=float, default=0.25, help="probability of inserting one random single-byte token into a caption (robustness to unknown words)")
    ap.add_argument("--extra-templates", type=int, default=1, help="also train on data.EXTRA_TRAIN_TEMPLATES")
    ap.add_argument("--min-snr", type=float, default=5.0, help="Min-SNR-gamma loss weighting (Hang et al. 2023): per-sample weight min(SNR_t, gamma) / SNR_t; 0 = plain MSE")
    ap.add_argument("--ema", type=float, default=0.999, help="exponential moving average of the text encoder + UNet weights (decay, warmed up as (1+s)/(10+s)); export uses it; 0 = off")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed + 1)
    vae = torch.load(os.path.join(HERE, "ckpt", "vae.pt"))
    enc = VaeEncoder(); enc.load_state_dict(vae["encoder"]); enc.eval()
    scaling = vae["scaling_factor"]
    tok = shapes_tokenizer()
    train_combos, _ = split_combos()

    t0 = time.time()
    cidx = rng.integers(0, len(train_combos), a.latents)
    lat = []
    with torch.no_grad():
        for i in range(0, a.latents, 256):
            imgs = render([train_combos[c] for c in cidx[i:i + 256]], rng)
            lat.append(enc(torch.from_numpy(to_tensor_range(imgs)))[:, :4] * scaling)
    lat = torch.cat(lat)
    # token ids of every (combo, training template) caption, and of the empty caption
    templates = TRAIN_TEMPLATES + (EXTRA_TRAIN_TEMPLATES if a.extra_templates else [])
    L = a.ctx_len or 77
    ids_table = torch.tensor([[tok.encode(caption(tp, c))[:L] for tp in templates] for c in train_combos])
    empty = torch.tensor(tok.encode("")[:L])
    word_ids = {i for w in WORDS for i in tok.encode(w) if i not in (tok.bos_id, tok.eos_id)}
    noise_ids = [i for i in range(512) if i not in word_ids]  # single-byte tokens no caption word uses
    combo_lab = torch.tensor([[SHAPES.index(s), COLOUR_NAMES.index(f), COLOUR_NAMES.index(b)] for s, f, b in train_combos])
    t_pre = time.time() - t0
    print(f"encoded {a.latents} latents in {t_pre:.1f}s (std {lat.std():.3f})", flush=True)

    te, unet = TextEncoder(tok.vocab_size, layers=a.te_layers), UNet(ctx_len=a.ctx_len)
    dim = te.final.normalized_shape[0]
    heads = torch.nn.ModuleList([torch.nn.Linear(dim, len(SHAPES)), torch.nn.Linear(dim, len(COLOUR_NAMES)), torch.nn.Linear(dim, len(COLOUR_NAMES))])
    print(f"text encoder {nparams(te)} params, unet {nparams(unet)} params", flush=True)
    params = list(te.parameters()) + list(unet.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.01)
    ema_te, ema_unet = copy.deepcopy(te).requires_grad_(False), copy.deepcopy(unet).requires_grad_(False)
    ema_pairs = list(zip(list(ema_te.parameters()) + list(ema_unet.parameters()), list(te.parameters()) + list(unet.parameters())))
    done_before = 0
    if a.resume:
        ck = torch.load(os.path.join(HERE, "ckpt", "unet.pt"))
        te.load_state_dict(ck["text_encoder"]); unet.load_state_dict(ck["unet"])
        if "aux_heads" in ck:
            heads.load_state_dict(ck["aux_heads"])
        if "optimizer" in ck:
            opt.load_state_dict(ck["optimizer"])
        ema_te.load_state_dict(ck.get("ema_text_encoder", ck["text_encoder"])); ema_unet.load_state_dict(ck.get("ema_unet", ck["unet"]))
        done_before = ck.get("total_steps", ck["step"])
        print(f"resumed after {done_before} steps", flush=True)
    ac = schedule()
    log = open(os.path.join(HERE, "ckpt", "unet.log"), "w")
    t0 = time.time(); c0 = time.process_time(); last_pause = t0; run = run_aux = 0.0
    def save(step):
        torch.save({"text_encoder": te.state_dict(), "unet": unet.state_dict(), "vocab_size": tok.vocab_size,
                    "step": step, "total_steps": done_before + step, "optimizer": opt.state_dict(), "args": vars(a), "seconds": time.time() - t0,
                    "aux_heads": heads.state_dict(), "te_layers": a.te_layers, "ctx_len": a.ctx_len,
                    # the averages only when kept (--ema 0: the loaders then read the trained weights)
                    **({"ema_text_encoder": ema_te.state_dict(), "ema_unet": ema_unet.state_dict()} if a.ema else {})},
                   os.path.join(HERE, "ckpt", "unet.pt"))

    for step in range(1, a.steps + 1):
        j = torch.from_numpy(rng.integers(0, a.latents, a.batch))
        x0 = lat[j]
        cj = torch.from_numpy(cidx[j.numpy()])
        ids = ids_table[cj, torch.from_numpy(rng.integers(0, len(templates), a.batch))].clone()
        if a.noise_words:
            for r in np.nonzero(rng.random(a.batch) < a.noise_words)[0]:
                n = int((ids[r] != tok.eos_id).sum())  # bos + words
                if n + 1 < L:
                    p = int(rng.integers(1, n + 1))
                    ids[r, p + 1:] = ids[r, p:-1].clone()
                    ids[r, p] = int(noise_ids[rng.integers(len(noise_ids))])
        drop = torch.from_numpy(rng.random(a.batch) < a.uncond)
        ids = torch.where(drop[:, None], empty[None], ids)
        t = torch.from_numpy(rng.integers(0, 1000, a.batch))
        noise = torch.randn_like(x0)
        at = ac[t][:, None, None, None]
        xt = at.sqrt() * x0 + (1 - at).sqrt() * noise
        ctx, pooled = te(ids)
        # the exported UNet takes a scalar timestep; in training each row has its own (same graph: [b] timesteps)
        pred = unet(xt, t.float(), ctx)
        per = ((pred - noise) ** 2).mean((1, 2, 3))
        loss = per.mean()  # logged: the plain epsilon MSE
        if a.min_snr:
            snr = (at / (1 - at)).flatten()
            objective = (per * torch.clamp(snr, max=a.min_snr) / snr).mean()
        else:
            objective = loss
        aux = torch.tensor(0.0)
        if a.aux:
            keep = ~drop
            lab = combo_lab[cj][keep]
            aux = sum(torch.nn.functional.cross_entropy(h(pooled[keep]), lab[:, k]) for k, h in enumerate(heads)) / 3
        total = objective + a.aux * aux
        prog = step / a.steps
        if a.minutes:
            prog = max(prog, (time.time() - t0) / (60 * a.minutes))
        for gr in opt.param_groups:
            gr['lr'] = a.lr * min(1.0, step / (0.03 * a.steps + 1)) * 0.5 * (1 + math.cos(math.pi * min(prog, 1.0)))
        opt.zero_grad()
        total.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if a.ema:
            d = min(a.ema, (1 + done_before + step) / (10 + done_before + step))
            with torch.no_grad():
                for pe, p in ema_pairs:
                    pe.mul_(d).add_(p.detach(), alpha=1 - d)
        run = 0.98 * run + 0.02 * loss.item() if step > 1 else loss.item()
        run_aux = 0.98 * run_aux + 0.02 * aux.item() if step > 1 else aux.item()
        if step % 50 == 0 or step == a.steps:
            msg = f"step {step} loss {run:.4f} aux {run_aux:.4f} elapsed {time.time() - t0:.1f}s cpu {time.process_time() - c0:.1f}s"
            print(msg, flush=True); log.write(msg + "\n"); log.flush()
        if step % 500 == 0 or step == a.steps:
            save(step)
        if time.time() - last_pause > 60:
            time.sleep(1.0); last_pause = time.time()
        if a.minutes and time.time() - t0 > 60 * a.minutes:
            print(f"time budget reached at step {step}", flush=True); log.write(f"stopped at step {step}\n")
            break
    save(step)
    msg = f"done: {step} steps in {time.time() - t0:.1f}s wall, {time.process_time() - c0:.1f}s cpu (+{t_pre:.1f}s latent precompute)"
    print(msg); log.write(msg + "\n"); log.close()
    # sanity grid of held-out prompts
    if a.ema:
        te, unet = ema_te, ema_unet
    te.eval(); unet.eval()
    dec = VaeDecoder(); dec.load_state_dict(vae["decoder"]); dec.eval()
    prompts = [p for p, _, _ in heldout_prompts()[:16]]
    with torch.no_grad():
        img = dec(ddim_sample(unet, te, tok, prompts) / scaling)
    img = ((img.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    from PIL import Image
    Image.fromarray(img.reshape(4, 4, 64, 64, 3).transpose(0, 2, 1, 3, 4).reshape(256, 256, 3)).save(os.path.join(HERE, "ckpt", "unet_samples.png"))
    print("\n".join(prompts))


if __name__ == "__main__":
    main()
