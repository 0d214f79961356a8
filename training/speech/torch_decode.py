"""PyTorch reference transcripts of the held-out set: the trained checkpoint, features.py log-mel of the same
WAV files the pipeline reads, greedy decoding with the pipeline's prompt and suppression rules (model.greedy),
tokens decoded with the exported vocab.json (GPT-2 byte-level). Writes out/torch_greedy.json.

  /usr/bin/python3 training/speech/torch_decode.py [--ckpt ckpt/model.pt]
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import Whisper, greedy  # noqa: E402
from train import SPEC, TOK, heldout_feats, wer  # noqa: E402


def bytes_to_unicode():
    bs = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "ckpt", "model.pt"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = Whisper(SPEC, TOK["vocab_size"]).eval()
    model.load_state_dict(torch.load(a.ckpt)["model"])
    vocab = json.load(open(os.path.join(HERE, "out", SPEC["name"], "vocab.json")))
    inv = {v: k for k, v in vocab.items()}
    b2u = bytes_to_unicode()
    t0 = time.time()
    feats, items = heldout_feats()
    res = []
    for i in range(0, len(items), 50):
        for ids in greedy(model, feats[i:i + 50], TOK["prompt"], TOK["eot"], TOK["suppress_tokens"], TOK["begin_suppress_tokens"],
                          SPEC["max_target_positions"]):
            text = bytes(b2u[ch] for i2 in ids if i2 < TOK["regular_size"] for ch in inv[i2]).decode("utf-8", "replace")
            res.append({"ids": ids, "text": text})
    w = wer([u["text"] for u in items], [r["text"] for r in res])
    out = {"ckpt": os.path.relpath(a.ckpt, HERE), "wer": w, "seconds": round(time.time() - t0, 1),
           "utterances": [{"file": u["file"], "ref": u["text"], "hyp": r["text"], "ids": r["ids"]} for u, r in zip(items, res)]}
    json.dump(out, open(os.path.join(HERE, "out", "torch_greedy.json"), "w"), indent=1)
    print(f"torch greedy on {len(items)} held-out utterances: WER {w:.4f} ({out['seconds']} s)")


if __name__ == "__main__":
    main()
