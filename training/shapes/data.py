"""Synthetic shapes dataset: 64x64 images of a circle, square or triangle in a named colour on a
different named background colour, with captions from several templates. Generated on the fly from
a seed (numpy), anti-aliased by 2x supersampling.

Split (fixed, seeded by SPLIT_SEED):
  - combos: 3 shapes x 8 colours x 7 backgrounds = 168 (shape, colour, background) combinations;
    HELDOUT_COMBOS of them (chosen by SPLIT_SEED) are never rendered for training.
  - wordings: TRAIN_TEMPLATES are used for training; HELDOUT_TEMPLATES only for evaluation.
  heldout_prompts() returns the evaluation prompts (>= 50): every held-out combo with a training
  wording and with a held-out wording, plus training combos with held-out wordings.
"""
import numpy as np

SIZE = 64
SHAPES = ["circle", "square", "triangle"]
COLOURS = {
    "red": (230, 25, 25),
    "green": (30, 170, 40),
    "blue": (30, 60, 220),
    "yellow": (245, 220, 30),
    "orange": (245, 135, 20),
    "purple": (140, 40, 180),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}
COLOUR_NAMES = list(COLOURS)

TRAIN_TEMPLATES = [
    "a {fg} {shape} on a {bg} background",
    "{fg} {shape}, {bg} background",
    "a {bg} background with a {fg} {shape}",
    "a {fg} {shape} on {bg}",
    "{fg} {shape} on a {bg} background",
    "a picture of a {fg} {shape} on a {bg} background",
]
# extra training-only wordings (train_unet.py --extra-templates): only words of TRAIN_TEMPLATES, both
# orders around "with", so the text encoder has to read roles from word order, not from position
EXTRA_TRAIN_TEMPLATES = [
    "a {fg} {shape} with a {bg} background",
    "{fg} {shape} with a {bg} background",
    "{bg} background with a {fg} {shape}",
    "{fg} {shape} on {bg}",
    "a {bg} background, a {fg} {shape}",
    "a {fg} {shape}, a {bg} background",
]
HELDOUT_TEMPLATES = [
    "an image of a {fg} {shape} over a {bg} background",
    "{bg} background, {fg} {shape}",
]
# every word the captions use (the tokenizer makes each a single token)
WORDS = sorted(set(" ".join(TRAIN_TEMPLATES + HELDOUT_TEMPLATES).replace(",", " ").replace("{fg}", "").replace("{bg}", "").replace("{shape}", "").split())
               | set(SHAPES) | set(COLOURS))

SPLIT_SEED = 1234
N_HELDOUT_COMBOS = 24


def all_combos():
    return [(s, f, b) for s in SHAPES for f in COLOUR_NAMES for b in COLOUR_NAMES if f != b]


def split_combos():
    combos = all_combos()
    rng = np.random.default_rng(SPLIT_SEED)
    idx = rng.permutation(len(combos))
    held = sorted(idx[:N_HELDOUT_COMBOS].tolist())
    train = sorted(idx[N_HELDOUT_COMBOS:].tolist())
    return [combos[i] for i in train], [combos[i] for i in held]


def caption(template, combo):
    s, f, b = combo
    return template.format(fg=f, bg=b, shape=s)


def heldout_prompts():
    """[(prompt, (shape, fg, bg), kind)] with kind in {'combo', 'wording', 'both'}; 60 prompts."""
    train, held = split_combos()
    out = []
    for i, c in enumerate(held):
        out.append((caption(TRAIN_TEMPLATES[i % len(TRAIN_TEMPLATES)], c), c, "combo"))
        out.append((caption(HELDOUT_TEMPLATES[i % len(HELDOUT_TEMPLATES)], c), c, "both"))
    rng = np.random.default_rng(SPLIT_SEED + 1)
    for j, i in enumerate(rng.choice(len(train), 12, replace=False)):
        out.append((caption(HELDOUT_TEMPLATES[j % len(HELDOUT_TEMPLATES)], train[i]), train[i], "wording"))
    return out


def render(combos, rng, ss=2):
    """combos: list of (shape, fg, bg). Returns uint8 [N, 64, 64, 3]. Shapes stay >= 4 px from the border."""
    n = len(combos)
    S = SIZE * ss
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32) / ss + 0.5 / ss  # pixel centres in 64-px units
    out = np.empty((n, SIZE, SIZE, 3), np.uint8)
    for k, (shape, fg, bg) in enumerate(combos):
        r = rng.uniform(11, 22)  # half extent
        cx = rng.uniform(4 + r, SIZE - 4 - r)
        cy = rng.uniform(4 + r, SIZE - 4 - r)
        if shape == "circle":
            m = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        elif shape == "square":
            m = (np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= r)
        else:  # upward triangle: apex (cx, cy-r), base from (cx-r, cy+r) to (cx+r, cy+r); bbox fill 0.5
            t = (yy - (cy - r)) / (2 * r)  # 0 at apex, 1 at base
            m = (t >= 0) & (t <= 1) & (np.abs(xx - cx) <= t * r)
        m = m.astype(np.float32)
        m = m.reshape(SIZE, ss, SIZE, ss).mean(axis=(1, 3))[..., None]
        img = m * np.array(COLOURS[fg], np.float32) + (1 - m) * np.array(COLOURS[bg], np.float32)
        out[k] = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    return out


def sample_batch(rng, n, combos=None, templates=TRAIN_TEMPLATES):
    """Random training batch: (images uint8 [n,64,64,3], captions, combos)."""
    if combos is None:
        combos = split_combos()[0]
    cs = [combos[i] for i in rng.integers(0, len(combos), n)]
    caps = [caption(templates[i], c) for i, c in zip(rng.integers(0, len(templates), n), cs)]
    return render(cs, rng), caps, cs


def to_tensor_range(imgs):
    """uint8 [N,H,W,3] -> float32 [N,3,H,W] in [-1, 1] (the VAE's pixel range)."""
    return (imgs.astype(np.float32) / 127.5 - 1.0).transpose(0, 3, 1, 2)


if __name__ == "__main__":
    import sys
    from PIL import Image
    train, held = split_combos()
    print(f"combos: {len(train)} train, {len(held)} held out; templates: {len(TRAIN_TEMPLATES)} train, {len(HELDOUT_TEMPLATES)} held out")
    print(f"held-out prompts: {len(heldout_prompts())}")
    rng = np.random.default_rng(0)
    imgs, caps, _ = sample_batch(rng, 16)
    grid = imgs.reshape(4, 4, SIZE, SIZE, 3).transpose(0, 2, 1, 3, 4).reshape(4 * SIZE, 4 * SIZE, 3)
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/shapes_grid.png"
    Image.fromarray(grid).save(path)
    for c in caps:
        print(c)


def write_heldout(json_path, truth_dir=None, seed=7):
    """heldout.json for evaluate.mjs; optionally ground-truth renders truth_dir/000.png ... (evaluator self-test)."""
    import json
    items = [{"prompt": p, "shape": c[0], "fg": c[1], "bg": c[2], "kind": k} for p, c, k in heldout_prompts()]
    with open(json_path, "w") as f:
        json.dump(items, f, indent=1)
    if truth_dir:
        import os
        from PIL import Image
        os.makedirs(truth_dir, exist_ok=True)
        imgs = render([c for _, c, _ in heldout_prompts()], np.random.default_rng(seed))
        for i, im in enumerate(imgs):
            Image.fromarray(im).save(os.path.join(truth_dir, f"{i:03d}.png"))


def write_trainseen(json_path, n=30):
    """trainseen.json: n training combinations with training wordings (what the model saw), for comparison."""
    import json
    train, _ = split_combos()
    rng = np.random.default_rng(SPLIT_SEED + 2)
    items = [{"prompt": caption(TRAIN_TEMPLATES[j % len(TRAIN_TEMPLATES)], train[i]), "shape": train[i][0], "fg": train[i][1],
              "bg": train[i][2], "kind": "seen"} for j, i in enumerate(rng.choice(len(train), n, replace=False))]
    with open(json_path, "w") as f:
        json.dump(items, f, indent=1)
