"""Torch-side quick check of ckpt/unet.pt + ckpt/vae.pt on the held-out prompts with evaluate.mjs's rule
(classify.py): DDIM 20 steps, guidance --scale, torch's own seeded noise (not the pipeline's generator,
so numbers differ a little from evaluate.mjs; use it to compare checkpoints/seeds quickly).
  /usr/bin/python3 eval_torch.py [--seeds 0,1,2] [--scale 7.5] [--prompts heldout.json]"""
import argparse
import json
import os

import numpy as np
import torch

from classify import classify
from models import TextEncoder, UNet, VaeDecoder
from tokenizer import shapes_tokenizer
from train_unet import schedule


@torch.no_grad()
def ddim(unet, te, tok, prompts, steps=20, scale=7.5, seed=0, spacing="leading", clip=0.0, alpha_to_one=False):
    """the pipeline's DDIM (diffusers' formula, eta 0, steps_offset 1) with CFG; clip > 0: clip_sample_range"""
    ac = schedule()
    x = torch.randn(len(prompts), 4, 8, 8, generator=torch.Generator().manual_seed(seed))
    ctx = torch.cat([te(torch.tensor([tok.encode("")] * len(prompts)))[0], te(torch.tensor([tok.encode(p) for p in prompts]))[0]])
    r = 1000 // steps
    ts = [i * r + 1 for i in range(steps)][::-1] if spacing == "leading" else [round(1000 - i * 1000 / steps) - 1 for i in range(steps)]
    final = torch.tensor(1.0) if alpha_to_one else ac[0]
    for t in ts:
        eu, ec = unet(torch.cat([x, x]), torch.tensor(float(t)), ctx).chunk(2)
        e = eu + scale * (ec - eu)
        a, ap = ac[t], (ac[t - r] if t - r >= 0 else final)
        x0 = (x - (1 - a).sqrt() * e) / a.sqrt()
        if clip:
            x0 = x0.clamp(-clip, clip)
        x = ap.sqrt() * x0 + (1 - ap).sqrt() * e
    return x

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--scale", type=float, default=7.5)
    ap.add_argument("--prompts", default=os.path.join(HERE, "heldout.json"))
    ap.add_argument("--unet", default=os.path.join(HERE, "ckpt", "unet.pt"))
    ap.add_argument("--vae", default=os.path.join(HERE, "ckpt", "vae.pt"))
    ap.add_argument("--spacing", default="leading")
    ap.add_argument("--clip", type=float, default=0.0)
    ap.add_argument("--alpha-to-one", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    ck, vae = torch.load(a.unet), torch.load(a.vae)
    te = TextEncoder(ck["vocab_size"], layers=ck.get("te_layers", 2)); te.load_state_dict(ck.get("ema_text_encoder", ck["text_encoder"])); te.eval()
    unet = UNet(ctx_len=ck.get("ctx_len", 0)); unet.load_state_dict(ck.get("ema_unet", ck["unet"])); unet.eval()
    dec = VaeDecoder(); dec.load_state_dict(vae["decoder"]); dec.eval()
    items = json.load(open(a.prompts))
    tok = shapes_tokenizer()
    tot = np.zeros(4); n = 0
    for seed in [int(s) for s in a.seeds.split(",")]:
        with torch.no_grad():
            img = dec(ddim(unet, te, tok, [it["prompt"] for it in items], scale=a.scale, seed=seed, spacing=a.spacing, clip=a.clip, alpha_to_one=a.alpha_to_one) / vae["scaling_factor"])
        y8 = np.round(((img / 2 + 0.5).clamp(0, 1) * 255).permute(0, 2, 3, 1).numpy()).astype(np.uint8)
        ok = np.array([[r[0] == it["bg"], r[1] == it["fg"], r[2] == it["shape"]] for r, it in zip(map(classify, y8), items)])
        res = np.r_[ok.mean(0), ok.all(1).mean()]
        print(f"seed {seed}: bg {res[0]:.3f} fg {res[1]:.3f} shape {res[2]:.3f} all {res[3]:.3f}", flush=True)
        tot += res; n += 1
    print(f"mean over {n} seeds: bg {tot[0]/n:.3f} fg {tot[1]/n:.3f} shape {tot[2]/n:.3f} all {tot[3]/n:.3f}  (step {ck.get('total_steps')})")


if __name__ == "__main__":
    main()
