"""numpy port of evaluate.mjs's classify() (same rule), for torch-side checks."""
import numpy as np

from data import COLOURS

NAMES = list(COLOURS)
PAL = np.array([COLOURS[n] for n in NAMES], np.float64)


def nearest(c):
    return NAMES[int(np.argmin(np.sqrt(((PAL - np.asarray(c, np.float64)) ** 2).sum(-1))))]


def median_colour(px):
    s = np.sort(px, axis=0)
    return s[len(s) >> 1]


def classify(img):
    img = np.asarray(img, np.float64)
    H, W, _ = img.shape
    ring = np.ones((H, W), bool); ring[2:-2, 2:-2] = False
    bg = nearest(median_colour(img[ring]))
    bgc = PAL[NAMES.index(bg)]
    dbg = np.sqrt(((img - bgc) ** 2).sum(-1))
    fgpx = img[dbg > 80]
    if len(fgpx) < 30:
        return bg, "none", "none", 0.0
    fg = nearest(median_colour(fgpx))
    fgc = PAL[NAMES.index(fg)]
    m = (np.sqrt(((img - fgc) ** 2).sum(-1)) < dbg).astype(np.int32)
    nb = np.zeros_like(m)
    nb[1:-1, 1:-1] = m[1:-1, :-2] + m[1:-1, 2:] + m[:-2, 1:-1] + m[2:, 1:-1]
    keep = np.zeros_like(m, bool)
    keep[1:-1, 1:-1] = (m[1:-1, 1:-1] == 1) & (nb[1:-1, 1:-1] >= 2)
    ys, xs = np.nonzero(keep)
    if len(ys) == 0:
        return bg, fg, "triangle", 0.0
    fill = len(ys) / ((xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1))
    shape = "square" if fill >= 0.89 else "circle" if fill >= 0.63 else "triangle"
    return bg, fg, shape, fill
