"""Small committed test material under out/samples/: 5 held-out WAVs (copied from cache/heldout, one or two
per held-out group) with their reference transcripts and the trained model's PyTorch greedy transcripts
(out/torch_greedy.json), plus long.wav = five held-out utterances joined by 0.3 s silence (longer than the
model's 4 s window, so the pipeline chunks it). samples.json lists them all.

  /usr/bin/python3 training/speech/make_samples.py
"""
import json
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from features import read_wav  # noqa: E402

PICK = ["001.wav", "002.wav", "003.wav", "010.wav", "020.wav"]
LONG = ["004.wav", "005.wav", "006.wav", "007.wav", "008.wav"]


def main():
    out = os.path.join(HERE, "out", "samples")
    os.makedirs(out, exist_ok=True)
    held = {u["file"]: u for u in json.load(open(os.path.join(HERE, "heldout.json")))["utterances"]}
    torch_ref = {u["file"]: u for u in json.load(open(os.path.join(HERE, "out", "torch_greedy.json")))["utterances"]}
    items = []
    for f in PICK:
        shutil.copy(os.path.join(HERE, "cache", "heldout", f), os.path.join(out, f))
        u = held[f]
        items.append({"file": f, "text": u["text"], "torch_greedy": torch_ref[f]["hyp"], "torch_greedy_ids": torch_ref[f]["ids"],
                      **{k: u[k] for k in ("group", "voice", "speed", "pitch", "seconds")}})
    gap = np.zeros(int(0.3 * data.SR), np.float32)
    parts = []
    for f in LONG:
        parts += [read_wav(os.path.join(HERE, "cache", "heldout", f)), gap]
    x = np.concatenate(parts[:-1])
    data.write_wav(os.path.join(out, "long.wav"), x)
    items.append({"file": "long.wav", "text": "".join(held[f]["text"] for f in LONG), "parts": LONG, "seconds": round(len(x) / data.SR, 3)})
    json.dump({"model": "out/digits-whisper", "note": "text: reference; torch_greedy: the trained model's PyTorch greedy transcript "
               "(= onnxflow's greedy output on every backend, see README)", "samples": items}, open(os.path.join(out, "samples.json"), "w"), indent=1)
    for it in items:
        print(it["file"], repr(it["text"]), repr(it.get("torch_greedy")), it["seconds"])


if __name__ == "__main__":
    main()
