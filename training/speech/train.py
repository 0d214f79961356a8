"""Trains the small Whisper on the cached training features (prep.py train) with Whisper's targets:
decoder input  <|startoftranscript|> <|en|> <|transcribe|> <|notimestamps|> " three" " seven" ...
labels         <|en|> <|transcribe|> <|notimestamps|> " three" " seven" ... <|endoftext|>
(cross-entropy on every position, as transformers' Whisper training), plus an auxiliary CTC loss over the
words on the encoder output through a training-only linear head (--ctc weight; not part of the export). Token ids from out/<name>.tokens.json
(make_files.mjs files). AdamW, linear warm-up then cosine decay over max(step/steps, elapsed/minutes).

  /usr/bin/python3 training/speech/train.py --steps 3000 --minutes 55 --batch 32   # -> ckpt/model.pt, ckpt/train.log

Seeded (--seed: torch.manual_seed and the numpy batch generator); with a --minutes budget the step count
depends on the machine's speed, so give --steps without --minutes for bit-reproducibility.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from features import log_mel, read_wav  # noqa: E402
from model import Whisper, greedy  # noqa: E402

SPEC = json.load(open(os.path.join(HERE, "model.json")))
TOK = json.load(open(os.path.join(HERE, "out", f"{SPEC['name']}.tokens.json")))
CKPT = os.path.join(HERE, "ckpt")


def encode(text):
    return [TOK["words"][w] for w in text.split()]


def decode(ids):
    inv = {v: k for k, v in TOK["words"].items()}
    return " " + " ".join(inv.get(i, f"<{i}>") for i in ids)


def wer(refs, hyps):
    err = tot = 0
    for r, h in zip(refs, hyps):
        r, h = r.split(), h.split()
        d = list(range(len(h) + 1))
        for i in range(1, len(r) + 1):
            prev, d[0] = d[0], i
            for j in range(1, len(h) + 1):
                cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
                prev, d[j] = d[j], cur
        err += d[len(h)]
        tot += len(r)
    return err / max(tot, 1)


def heldout_feats(n=None):
    items = json.load(open(os.path.join(HERE, "heldout.json")))["utterances"][:n]
    x = np.stack([log_mel(read_wav(os.path.join(HERE, "cache", "heldout", u["file"])), SPEC["chunk_length"] * 16000) for u in items])
    return torch.from_numpy(x), items


def evaluate(model, feats, items, bs=50):
    model.eval()
    hyps = []
    for i in range(0, len(items), bs):
        for ids in greedy(model, feats[i:i + bs], TOK["prompt"], TOK["eot"], TOK["suppress_tokens"], TOK["begin_suppress_tokens"],
                          SPEC["max_target_positions"]):
            hyps.append(decode(ids))
    model.train()
    return wer([u["text"] for u in items], hyps), hyps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--minutes", type=float, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ctc", type=float, default=0.0, help="weight of the auxiliary encoder CTC loss (0: off)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"), help="folder with train_feats.npy and train.json")
    ap.add_argument("--ckpt-dir", default=CKPT)
    ap.add_argument("--eval-every", type=float, default=10, help="minutes between held-out checks (50 utterances)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.ckpt_dir, exist_ok=True)
    log = open(os.path.join(a.ckpt_dir, "train.log"), "a")

    def say(s):
        print(s, flush=True)
        log.write(s + "\n")
        log.flush()

    t_load = time.time()
    # float16 [N, 80, frames of the cache's window]; the model's window may be shorter (model.json chunk_length):
    # for audio that ends well before the shorter window ends the first frames are identical (padding
    # is zeros and only raises no maximum), so crop them and drop the longer utterances.
    frames = SPEC["chunk_length"] * 100
    meta = json.load(open(os.path.join(a.cache, "train.json")))["utterances"]
    full = np.load(os.path.join(a.cache, "train_feats.npy"), mmap_mode="r")[:len(meta)]
    # last frame above the padding value (the clamp floor, the minimum) <= frames - 7: audio ends > 0.04 s early
    last = np.array([np.nonzero((f > f.min()).any(0))[0].max() for f in full])
    keep = np.nonzero(last <= frames - 7)[0]
    feats = torch.from_numpy(np.ascontiguousarray(full[keep, :, :frames]))
    texts = [meta[i]["text"] for i in keep]
    seqs = [TOK["prompt"] + encode(t) + [TOK["eot"]] for t in texts]
    ev_feats, ev_items = heldout_feats(50)
    say(f"loaded {len(seqs)} of {len(meta)} utterances (<= window) {tuple(feats.shape)} in {time.time() - t_load:.0f} s; args {vars(a)}")

    model = Whisper(SPEC, TOK["vocab_size"])
    word_index = {w: k + 1 for k, w in enumerate(TOK["words"])}  # CTC classes: 0 blank, then the words
    ctc_targets = [[word_index[w] for w in t.split()] for t in texts]
    ctc_head = torch.nn.Linear(SPEC["d_model"], 1 + len(word_index))
    params = [p for p in model.parameters() if p.requires_grad]
    say(f"params {sum(p.numel() for p in params)}")
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() < 2] + [ctc_head.bias]
    decay.append(ctc_head.weight)
    params += list(ctc_head.parameters())
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.98))
    t0 = time.time()
    last_eval = t0
    run_loss = None
    order = rng.permutation(len(seqs))
    pos = 0
    step = 0
    skipped = 0
    while step < a.steps:
        elapsed = time.time() - t0
        frac = max(step / a.steps, elapsed / (a.minutes * 60) if a.minutes else 0)
        if frac >= 1:
            break
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0)))
        for g in opt.param_groups:
            g["lr"] = lr
        if pos + a.batch > len(order):
            order, pos = rng.permutation(len(seqs)), 0
        idx = order[pos:pos + a.batch]
        pos += a.batch
        x = feats[idx].float()
        L = max(len(seqs[i]) for i in idx)
        ids = torch.full((len(idx), L - 1), TOK["eot"], dtype=torch.long)
        labels = torch.full((len(idx), L - 1), -100, dtype=torch.long)
        for k, i in enumerate(idx):
            s = torch.tensor(seqs[i])
            ids[k, :len(s) - 1] = s[:-1]
            labels[k, :len(s) - 1] = s[1:]
        enc = model.model.encoder(x)
        logits = model.model.decoder(ids, enc)[0]
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        # auxiliary CTC loss on the encoder output (training only, not exported): hybrid CTC/attention
        # training, which makes the encoder learn word evidence early and the cross-attention align much sooner
        if a.ctc == 0:
            ctc, loss = torch.zeros(()), ce
        else:
          lp = F.log_softmax(ctc_head(enc).double(), -1).transpose(0, 1)  # [T, B, 1 + words], float64 (float32 CTC gave non-finite steps)
          tg = [ctc_targets[i] for i in idx]
          ctc = F.ctc_loss(lp, torch.tensor([t for x_ in tg for t in x_]), torch.full((len(idx),), lp.shape[0], dtype=torch.long),
                           torch.tensor([len(x_) for x_ in tg]), blank=0, zero_infinity=True)
          loss = (1 - a.ctc) * ce + a.ctc * ctc.float()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        # gradient clipping at norm 1, the norm summed by hand (while chasing the Conv1d gradient problem in
        # model.conv_mm, clip_grad_norm_ reported norms of ~3e4 / inf; kept as a plain sum of squares)
        gn = torch.sqrt(sum((p.grad.float() ** 2).sum() for p in params if p.grad is not None))
        if torch.isfinite(gn) and gn > 1.0:
            for p in params:
                if p.grad is not None:
                    p.grad.mul_(1.0 / (gn + 1e-6))
        step += 1
        if not (torch.isfinite(loss) and torch.isfinite(gn)):  # skip a non-finite step instead of poisoning the weights
            skipped += 1
            say(f"step {step}: non-finite loss/grad, skipped ({skipped} so far)")
            continue
        opt.step()
        run_loss = loss.item() if run_loss is None else 0.95 * run_loss + 0.05 * loss.item()
        if step % 20 == 0:
            say(f"step {step} loss {loss.item():.4f} (ce {ce.item():.4f} ctc {ctc.item():.4f}) avg {run_loss:.4f} lr {lr:.2e} {time.time() - t0:.0f} s ({(time.time() - t0) / step:.2f} s/step)")
        if time.time() - last_eval > a.eval_every * 60:
            w, hyps = evaluate(model, ev_feats, ev_items)
            say(f"step {step}: held-out[:50] greedy WER {w:.3f}  e.g. '{ev_items[1]['text']}' -> '{hyps[1]}'")
            torch.save({"model": model.state_dict(), "ctc_head": ctc_head.state_dict(), "opt": opt.state_dict(), "step": step, "args": vars(a)}, os.path.join(a.ckpt_dir, "model.pt"))
            last_eval = time.time()
    train_s = time.time() - t0
    torch.save({"model": model.state_dict(), "ctc_head": ctc_head.state_dict(), "opt": opt.state_dict(), "step": step, "args": vars(a), "train_seconds": train_s},
               os.path.join(a.ckpt_dir, "model.pt"))
    w, _ = evaluate(model, ev_feats, ev_items)
    say(f"done: {step} steps x batch {a.batch} in {train_s:.0f} s ({train_s / max(step, 1):.2f} s/step); final avg loss {run_loss:.4f}; {skipped} non-finite steps skipped; held-out[:50] greedy WER {w:.3f}")


if __name__ == "__main__":
    main()
