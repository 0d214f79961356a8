"""Small models with the Stable Diffusion interfaces (see src/generate/sd/README.md):
  VAE        encoder: sample [b,3,H,W] -> latent_parameters [b,8,H/8,W/8] (mean || logvar)
             decoder: latent_sample [b,4,h,w] -> sample [b,3,8h,8w] (pixels in [-1,1])
  TextEncoder  input_ids int64 [b,77] -> last_hidden_state [b,77,D], pooler_output [b,D]
               (CLIP: token+position embeddings, pre-LN causal transformer, quick_gelu MLP,
               final LayerNorm, pooled at argmax(input_ids) = the first <|endoftext|>)
  UNet       sample [b,4,h,w], timestep float32 [] , encoder_hidden_states [b,77,D] -> out_sample
             (epsilon prediction; sinusoidal timestep embedding as diffusers with
             flip_sin_to_cos=True, freq_shift=0)
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- VAE


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb=0, groups=8):
        super().__init__()
        self.n1 = nn.GroupNorm(groups, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.n2 = nn.GroupNorm(groups, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout) if temb else None
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t=None):
        h = self.c1(F.silu(self.n1(x)))
        if self.t is not None:
            h = h + self.t(F.silu(t))[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class VaeEncoder(nn.Module):
    def __init__(self, ch=(16, 32, 64), latent=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        layers, c = [], ch[0]
        for co in ch:
            layers += [ResBlock(c, co), nn.Conv2d(co, co, 3, stride=2, padding=1)]
            c = co
        self.blocks = nn.Sequential(*layers)
        self.mid = ResBlock(c, c)
        self.norm = nn.GroupNorm(8, c)
        self.conv_out = nn.Conv2d(c, 2 * latent, 3, padding=1)

    def forward(self, sample):
        h = self.mid(self.blocks(self.conv_in(sample)))
        return self.conv_out(F.silu(self.norm(h)))  # latent_parameters: mean || logvar


class VaeDecoder(nn.Module):
    def __init__(self, ch=(64, 32, 16), latent=4):
        super().__init__()
        self.conv_in = nn.Conv2d(latent, ch[0], 3, padding=1)
        self.mid = ResBlock(ch[0], ch[0])
        self.ups = nn.ModuleList()
        c = ch[0]
        for co in ch:
            self.ups.append(nn.ModuleList([ResBlock(c, co), nn.Conv2d(co, co, 3, padding=1)]))
            c = co
        self.norm = nn.GroupNorm(8, c)
        self.conv_out = nn.Conv2d(c, 3, 3, padding=1)

    def forward(self, latent_sample):
        h = self.mid(self.conv_in(latent_sample))
        for rb, conv in self.ups:
            h = conv(F.interpolate(rb(h), scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm(h)))


# ---------------------------------------------------------------- text encoder


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    def __init__(self, dim, heads, kv_dim=None):
        super().__init__()
        kv_dim = kv_dim or dim
        self.h = heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(kv_dim, dim)
        self.v = nn.Linear(kv_dim, dim)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, ctx=None, mask=None):
        ctx = x if ctx is None else ctx
        b, n, d = x.shape
        m = ctx.shape[1]
        dh = d // self.h
        q = self.q(x).reshape(b, n, self.h, dh).transpose(1, 2)
        k = self.k(ctx).reshape(b, m, self.h, dh).transpose(1, 2)
        v = self.v(ctx).reshape(b, m, self.h, dh).transpose(1, 2)
        a = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(dh))
        if mask is not None:
            a = a + mask
        a = a.softmax(-1)
        return self.o((a @ v).transpose(1, 2).reshape(b, n, d))


class TextEncoder(nn.Module):
    def __init__(self, vocab, dim=64, layers=2, heads=4, max_len=77):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(max_len, dim) * 0.01)
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(
                ln1=nn.LayerNorm(dim), attn=Attention(dim, heads), ln2=nn.LayerNorm(dim),
                fc1=nn.Linear(dim, 2 * dim), act=QuickGELU(), fc2=nn.Linear(2 * dim, dim))))
        self.final = nn.LayerNorm(dim)
        nn.init.normal_(self.tok.weight, std=0.02)

    def forward(self, input_ids):
        s = input_ids.shape[1]
        h = self.tok(input_ids) + self.pos[:s]
        idx = torch.arange(s, device=input_ids.device)
        mask = torch.where(idx[None, :] > idx[:, None], torch.tensor(-1e9), torch.tensor(0.0))
        for L in self.layers:
            h = h + L["attn"](L["ln1"](h), mask=mask)
            h = h + L["fc2"](L["act"](L["fc1"](L["ln2"](h))))
        h = self.final(h)
        eos = input_ids.to(torch.int32).argmax(-1)
        pooled = h.gather(1, eos[:, None, None].expand(-1, 1, h.shape[2])).squeeze(1)
        return h, pooled


# ---------------------------------------------------------------- UNet


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=-1)  # flip_sin_to_cos


class Transformer(nn.Module):
    def __init__(self, ch, ctx_dim, heads=4):
        super().__init__()
        self.norm = nn.GroupNorm(8, ch)
        self.proj_in = nn.Conv2d(ch, ch, 1)
        self.ln1, self.attn1 = nn.LayerNorm(ch), Attention(ch, heads)
        self.ln2, self.attn2 = nn.LayerNorm(ch), Attention(ch, heads, ctx_dim)
        self.ln3 = nn.LayerNorm(ch)
        self.ff = nn.Sequential(nn.Linear(ch, 2 * ch), nn.GELU(), nn.Linear(2 * ch, ch))
        self.proj_out = nn.Conv2d(ch, ch, 1)

    def forward(self, x, ctx):
        b, c, hh, ww = x.shape
        h = self.proj_in(self.norm(x)).flatten(2).transpose(1, 2)
        h = h + self.attn1(self.ln1(h))
        h = h + self.attn2(self.ln2(h), ctx)
        h = h + self.ff(self.ln3(h))
        h = h.transpose(1, 2).reshape(b, c, hh, ww)
        return x + self.proj_out(h)


class UNet(nn.Module):
    def __init__(self, ctx_dim=64, ch=(64, 128), tdim=256, ctx_len=0):
        super().__init__()
        c0, c1 = ch
        # ctx_len > 0: cross-attend to the first ctx_len text positions only (every caption of the dataset
        # is <= 12 tokens incl. <|startoftext|>/<|endoftext|>; the text encoder is causal, so these positions
        # do not depend on the padding after them). Same ONNX interface (encoder_hidden_states
        # [batch, sequence_length, D]); 2.5x faster training than attending to all 77 positions.
        self.ctx_len = ctx_len
        self.tdim0 = c0
        self.time = nn.Sequential(nn.Linear(c0, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        self.conv_in = nn.Conv2d(4, c0, 3, padding=1)
        self.d0r, self.d0a = ResBlock(c0, c0, tdim), Transformer(c0, ctx_dim)
        self.down = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.d1r, self.d1a = ResBlock(c0, c1, tdim), Transformer(c1, ctx_dim)
        self.m1, self.ma, self.m2 = ResBlock(c1, c1, tdim), Transformer(c1, ctx_dim), ResBlock(c1, c1, tdim)
        self.u1r, self.u1a = ResBlock(c1 + c1, c1, tdim), Transformer(c1, ctx_dim)
        self.up = nn.Conv2d(c1, c1, 3, padding=1)
        self.u0r, self.u0a = ResBlock(c1 + c0, c0, tdim), Transformer(c0, ctx_dim)
        self.norm = nn.GroupNorm(8, c0)
        self.conv_out = nn.Conv2d(c0, 4, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states):
        t = timestep.reshape(-1).float() * torch.ones(sample.shape[0])  # scalar -> [b]
        temb = self.time(timestep_embedding(t, self.tdim0))
        ctx = encoder_hidden_states[:, : self.ctx_len] if self.ctx_len else encoder_hidden_states
        h0 = self.conv_in(sample)
        s0 = self.d0a(self.d0r(h0, temb), ctx)
        h = self.down(s0)
        s1 = self.d1a(self.d1r(h, temb), ctx)
        h = self.m2(self.ma(self.m1(s1, temb), ctx), temb)
        h = self.u1a(self.u1r(torch.cat([h, s1], 1), temb), ctx)
        h = self.up(F.interpolate(h, size=s0.shape[-2:], mode="nearest"))
        h = self.u0a(self.u0r(torch.cat([h, s0], 1), temb), ctx)
        return self.conv_out(F.silu(self.norm(h)))


def nparams(m):
    return sum(p.numel() for p in m.parameters())
