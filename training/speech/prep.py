"""Training set (features cached once) and the held-out evaluation set (WAV files).

  /usr/bin/python3 training/speech/prep.py train --n 24000 --workers 2   # -> cache/train_feats.npy (float16 [N, 80, frames]), cache/train.json
  /usr/bin/python3 training/speech/prep.py meta --n K                     # train.json for the first K rows (after stopping `train` early)
  /usr/bin/python3 training/speech/prep.py heldout --n 200                # -> cache/heldout/*.wav + heldout.json (committed)

Training utterances: data.random_text() texts spoken by TRAIN_VOICES (data.py's 7 voices plus more eSpeak
variants and two more English accents) at a uniform speed in 120-190 wpm, pitch 25-75, then a random
resampling by 0.95-1.05 (tempo and formants +-5 %), random gain, up to 0.25 s silence each side and white
noise at 15-40 dB SNR; written as 16-bit PCM and read back (as the pipeline reads WAVs), then Whisper
log-mel (features.py) over a 5 s window (train.py crops to the model's chunk_length). Every utterance has its own
generator seeded by (seed, index), so the set does not depend on the number of workers.

Held-out utterances (never used in training): 200, in three equal groups: a held-out voice
(en-gb-scotland, en-us+m5) at a training speed (130-190), a held-out voice at the held-out speed 210, a
training voice (data.TRAIN_VOICES) at 210; pitch 35-65, data.py's gain/silence/noise (20-40 dB), no
resampling.
"""
import argparse
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402
from features import SR, log_mel, read_wav  # noqa: E402

CACHE = os.path.join(HERE, "cache")
SPEC = json.load(open(os.path.join(HERE, "model.json")))
N_SAMPLES = 5 * SR  # cache window (>= model.json chunk_length; train.py crops to the model's window)
# data.py's training voices plus other eSpeak variants (never +m5) and two more English accents.
TRAIN_VOICES = data.TRAIN_VOICES + ["en-us+m1", "en-us+m3", "en-gb+f1", "en-gb-x-rp+m2", "en-029+f3", "en-us+m7",
                                    "en-gb+m4", "en-gb-x-rp+f5", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc"]
assert not set(TRAIN_VOICES) & set(data.HELDOUT_VOICES)


def quantize(x):
    return (np.round(np.clip(x, -1, 1) * 32767).astype(np.int16).astype(np.float32) / 32768.0)


def train_utterance(seed, i):
    rng = np.random.default_rng([seed, i])
    while True:
        text = data.random_text(rng)
        voice = TRAIN_VOICES[rng.integers(0, len(TRAIN_VOICES))]
        speed = int(rng.integers(120, 191))
        pitch = int(rng.integers(25, 76))
        x = data.synth(text, voice, speed, pitch)
        f = rng.uniform(0.95, 1.05)  # resample: tempo and formants by f
        n = int(len(x) / f)
        x = np.interp(np.arange(n) * f, np.arange(len(x)), x).astype(np.float32)
        x = x * rng.uniform(0.3, 1.0)
        x = np.concatenate([np.zeros(rng.integers(0, SR // 4), np.float32), x, np.zeros(rng.integers(0, SR // 4), np.float32)])
        p = float(np.mean(x ** 2)) + 1e-12
        snr = rng.uniform(15, 40)
        x = x + rng.normal(0, np.sqrt(p / 10 ** (snr / 10)), x.shape).astype(np.float32)
        if len(x) <= N_SAMPLES:
            break
    x = quantize(x)
    return log_mel(x, N_SAMPLES).astype(np.float16), {"text": text, "voice": voice, "speed": speed, "pitch": pitch,
                                                       "seconds": round(len(x) / SR, 3)}


def _work(args):
    seed, lo, hi = args
    return [train_utterance(seed, i) for i in range(lo, hi)]


def make_train(n, seed, workers, cache=CACHE):
    os.makedirs(cache, exist_ok=True)
    frames = N_SAMPLES // 160
    feats = np.lib.format.open_memmap(os.path.join(cache, "train_feats.npy"), mode="w+", dtype=np.float16, shape=(n, 80, frames))
    meta = []
    t0 = time.time()
    step = 500
    jobs = [(seed, lo, min(n, lo + step)) for lo in range(0, n, step)]
    with Pool(workers) as pool:
        for (s, lo, hi), res in zip(jobs, pool.imap(_work, jobs)):
            for k, (f, m) in enumerate(res):
                feats[lo + k] = f
                meta.append(m)
            print(f"{hi}/{n} utterances, {time.time() - t0:.0f} s", flush=True)
    feats.flush()
    json.dump({"seed": seed, "n": n, "n_samples": N_SAMPLES, "voices": TRAIN_VOICES, "utterances": meta},
              open(os.path.join(cache, "train.json"), "w"))
    print(f"train set: {n} utterances in {time.time() - t0:.0f} s")


def make_heldout(n, seed):
    out = os.path.join(CACHE, "heldout")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        group = ["voice", "voice+speed", "speed"][i % 3]
        if group == "speed":
            voice = data.TRAIN_VOICES[rng.integers(0, len(data.TRAIN_VOICES))]
        else:
            voice = data.HELDOUT_VOICES[rng.integers(0, len(data.HELDOUT_VOICES))]
        speed = int(rng.integers(130, 191)) if group == "voice" else data.HELDOUT_SPEEDS[0]
        pitch = int(rng.integers(35, 66))
        text = data.random_text(rng)
        x = data.synth(text, voice, speed, pitch)
        x = x * rng.uniform(0.5, 1.0)
        x = np.concatenate([np.zeros(rng.integers(0, SR // 4), np.float32), x, np.zeros(rng.integers(0, SR // 4), np.float32)])
        snr = rng.uniform(20, 40)
        p = float(np.mean(x ** 2)) + 1e-12
        x = np.clip(x + rng.normal(0, np.sqrt(p / 10 ** (snr / 10)), x.shape).astype(np.float32), -1, 1)
        name = f"{i:03d}.wav"
        data.write_wav(os.path.join(out, name), x)
        items.append({"file": name, "text": " " + text, "group": group, "voice": voice, "speed": speed, "pitch": pitch,
                      "snr_db": round(snr, 1), "seconds": round(len(x) / SR, 3)})
    json.dump({"seed": seed, "wav_dir": "cache/heldout", "utterances": items}, open(os.path.join(HERE, "heldout.json"), "w"), indent=1)
    print(f"held-out: {n} WAVs in {out}; longest {max(u['seconds'] for u in items)} s")


def rebuild_meta(n, seed, cache=CACHE):
    """train.json for the first n rows of train_feats.npy (e.g. after stopping `prep.py train` early: rows are
    written in index order and each depends only on (seed, index)). The text, voice, speed and pitch are the
    first draws of the utterance's generator (utterances are never longer than the 5 s cache window, so the
    first draw is always the one kept); seconds are unknown here (null)."""
    os.makedirs(cache, exist_ok=True)
    meta = []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        text = data.random_text(rng)
        voice = TRAIN_VOICES[rng.integers(0, len(TRAIN_VOICES))]
        speed = int(rng.integers(120, 191))
        pitch = int(rng.integers(25, 76))
        meta.append({"text": text, "voice": voice, "speed": speed, "pitch": pitch, "seconds": None})
    json.dump({"seed": seed, "n": n, "n_samples": N_SAMPLES, "voices": TRAIN_VOICES, "utterances": meta, "rebuilt": True},
              open(os.path.join(cache, "train.json"), "w"))
    print(f"train.json rebuilt for {n} rows")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["train", "heldout", "meta"])
    ap.add_argument("--n", type=int, default=24000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", default=CACHE)
    a = ap.parse_args()
    if a.what == "train":
        make_train(a.n, a.seed, a.workers, a.cache)
    elif a.what == "meta":
        rebuild_meta(a.n, a.seed, a.cache)
    else:
        make_heldout(a.n, 1234 if a.seed == 0 else a.seed)
