"""PyTorch reference of the whole pipeline on the inputs psnr_dump.mjs recorded (token ids, initial
latents, timesteps): text encoder, DDIM (eta 0, diffusers' formula, set_alpha_to_one False) with
classifier-free guidance 7.5, latents / scaling_factor, VAE decoder, clamp(x/2+0.5)*255 rounded;
PSNR against onnxflow's PNGs.
  /usr/bin/python3 psnr_torch.py out/psnr/cpu.json [out/psnr/native.json ...]
(SHAPES_CKPT: the checkpoint folder, default ckpt/)"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

from models import TextEncoder, UNet, VaeDecoder
from train_unet import schedule

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    torch.set_num_threads(1)
    ckdir = os.environ.get("SHAPES_CKPT", os.path.join(HERE, "ckpt"))
    ck = torch.load(os.path.join(ckdir, "unet.pt"))
    vae = torch.load(os.path.join(ckdir, "vae.pt"))
    te = TextEncoder(ck["vocab_size"], layers=ck.get("te_layers", 2)); te.load_state_dict(ck.get("ema_text_encoder", ck["text_encoder"])); te.eval()
    unet = UNet(ctx_len=ck.get("ctx_len", 0)); unet.load_state_dict(ck.get("ema_unet", ck["unet"])); unet.eval()
    dec = VaeDecoder(**vae.get("decoder_kwargs", {})); dec.load_state_dict(vae["decoder"]); dec.eval()
    ac = schedule()
    for path in sys.argv[1:]:
        d = json.load(open(path))
        ts = d["timesteps"]
        step = 1000 // len(ts)
        res, sq = [], []
        for it in d["items"]:
            with torch.no_grad():
                ctx = torch.cat([te(torch.tensor([it["neg_ids"]]))[0], te(torch.tensor([it["ids"]]))[0]])
                x = torch.tensor(it["latents"], dtype=torch.float32).reshape(1, 4, 8, 8)
                for t in ts:
                    e = unet(torch.cat([x, x]), torch.tensor(float(t)), ctx)
                    eu, ec = e.chunk(2)
                    e = eu + 7.5 * (ec - eu)
                    a = ac[t]
                    ap = ac[t - step] if t - step >= 0 else ac[0]
                    x0 = (x - (1 - a).sqrt() * e) / a.sqrt()
                    x = ap.sqrt() * x0 + (1 - ap).sqrt() * e
                img = dec(x / vae["scaling_factor"])[0]
            ref = ((img / 2 + 0.5).clamp(0, 1) * 255).permute(1, 2, 0).numpy()
            ref8 = np.round(ref).astype(np.uint8)
            Image.fromarray(ref8).save(it["png"].replace(".png", "-torch.png"))
            got = np.asarray(Image.open(it["png"]).convert("RGB")).astype(np.float64)
            mse = ((got - ref8.astype(np.float64)) ** 2).mean()
            psnr = float("inf") if mse == 0 else 10 * np.log10(255 ** 2 / mse)
            maxd = np.abs(got - ref8).max()
            res.append(psnr); sq.append(mse)
            print(f"{d['backend']:7s} PSNR {psnr:6.2f} dB  max |diff| {maxd:.0f}/255  \"{it['prompt']}\"")
        fin = [r for r in res if np.isfinite(r)]
        pooled = np.mean(sq)
        pooled = float("inf") if pooled == 0 else 10 * np.log10(255 ** 2 / pooled)
        print(f"{d['backend']}: min PSNR {min(res):.2f} dB, PSNR of all {len(res)} images together {pooled:.2f} dB ({len(res) - len(fin)} bit-identical)")


if __name__ == "__main__":
    main()
