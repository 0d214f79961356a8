"""A small WhisperForConditionalGeneration in plain PyTorch, parameter names as transformers' modeling_whisper
(model.encoder.*, model.decoder.*; proj_out tied to model.decoder.embed_tokens):

  encoder: Conv1d(n_mels, D, 3, pad 1) -> GELU -> Conv1d(D, D, 3, stride 2, pad 1) -> GELU -> + sinusoidal
           positions (Whisper's sinusoids(), fixed) -> pre-LN layers (self-attention: q/v/out with bias, k without,
           q scaled by head_dim^-0.5; GELU MLP) -> LayerNorm
  decoder: token embedding + learned positions (offset by the cache length) -> pre-LN layers (causal
           self-attention with KV cache, cross-attention over the encoder output, GELU MLP) -> LayerNorm ->
           logits = h @ embed_tokens^T
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = torch.finfo(torch.float32).min


def gelu(x, training):
    """GELU. In training written out as 0.5 x (1 + erf(x / sqrt 2)): torch 1.13 (Debian)'s F.gelu BACKWARD returns
    garbage on this CPU when the incoming gradient is non-contiguous (as after conv_mm's transpose; probably the same with
    Conv1d's backward, the original symptom): gelu_check.py measures errors of ~30 on unit-scale gradients, varying from run to run; inside the model
    the conv1 weight/bias gradients were off by up to ~1e3, sometimes ~1e19/inf, with the reference BLAS as with
    OpenBLAS. This was the bug that kept every earlier run on the text prior. The forward is right; eval/export use
    F.gelu (same function)."""
    return 0.5 * x * (1 + torch.erf(x * 0.7071067811865476)) if training else F.gelu(x)


def sinusoids(length, channels, max_timescale=10000):
    inc = math.log(max_timescale) / (channels // 2 - 1)
    inv = torch.exp(-inc * torch.arange(channels // 2, dtype=torch.float32))
    t = torch.arange(length, dtype=torch.float32)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def split(self, x):  # [B, S, D] -> [B, H, S, dh]
        b, s, _ = x.shape
        return x.view(b, s, self.h, self.dh).transpose(1, 2)

    def kv(self, x):
        return self.split(self.k_proj(x)), self.split(self.v_proj(x))

    def attend(self, x, k, v, mask=None):
        b, s, d = x.shape
        q = self.split(self.q_proj(x) * self.dh ** -0.5)
        w = q @ k.transpose(2, 3)
        if mask is not None:
            w = w + mask
        o = torch.softmax(w, dim=-1) @ v
        return self.out_proj(o.transpose(1, 2).reshape(b, s, d))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.self_attn = Attention(d, heads)
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, ffn)
        self.fc2 = nn.Linear(ffn, d)
        self.final_layer_norm = nn.LayerNorm(d)

    def forward(self, x):
        n = self.self_attn_layer_norm(x)
        k, v = self.self_attn.kv(n)
        x = x + self.self_attn.attend(n, k, v)
        return x + self.fc2(gelu(self.fc1(self.final_layer_norm(x)), self.training))


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.self_attn = Attention(d, heads)
        self.self_attn_layer_norm = nn.LayerNorm(d)
        self.encoder_attn = Attention(d, heads)
        self.encoder_attn_layer_norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, ffn)
        self.fc2 = nn.Linear(ffn, d)
        self.final_layer_norm = nn.LayerNorm(d)

    def forward(self, x, mask, past_k=None, past_v=None, enc=None, cross_k=None, cross_v=None):
        n = self.self_attn_layer_norm(x)
        k, v = self.self_attn.kv(n)
        if past_k is not None:
            k, v = torch.cat([past_k, k], 2), torch.cat([past_v, v], 2)
        x = x + self.self_attn.attend(n, k, v, mask)
        n = self.encoder_attn_layer_norm(x)
        if cross_k is None:
            cross_k, cross_v = self.encoder_attn.kv(enc)
        x = x + self.encoder_attn.attend(n, cross_k, cross_v)
        x = x + self.fc2(gelu(self.fc1(self.final_layer_norm(x)), self.training))
        return x, (k, v, cross_k, cross_v)


def conv_mm(x, conv, stride):
    """conv (Conv1d, kernel 3, padding 1) of x [B, C, T] as im2col + matmul -> [B, T', out]. Used in training:
    the weight gradients of Conv1d in the model came out as garbage (~1e19). The actual cause was F.gelu's backward on a
    non-contiguous gradient (see gelu); this path is kept, as checked. Same function as the conv."""
    cols = F.pad(x, (1, 1)).unfold(2, 3, stride)  # [B, C, T', 3]
    b, c, t, k = cols.shape
    cols = cols.permute(0, 2, 1, 3).reshape(b, t, c * k)
    return cols @ conv.weight.reshape(conv.weight.shape[0], c * k).t() + conv.bias


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["d_model"]
        self.conv1 = nn.Conv1d(80, d, 3, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.embed_positions = nn.Embedding(c["chunk_length"] * 50, d)
        self.embed_positions.weight.data.copy_(sinusoids(c["chunk_length"] * 50, d))
        self.embed_positions.weight.requires_grad_(False)
        self.layers = nn.ModuleList([EncoderLayer(d, c["heads"], c["ffn"]) for _ in range(c["encoder_layers"])])
        self.layer_norm = nn.LayerNorm(d)

    def forward(self, feats):  # [B, 80, frames] -> [B, frames/2, D]
        if self.training:  # same convolutions as im2col + matmul (see conv_mm)
            x = gelu(conv_mm(gelu(conv_mm(feats, self.conv1, 1), True).transpose(1, 2), self.conv2, 2), True)
        else:
            x = F.gelu(self.conv2(F.gelu(self.conv1(feats)))).permute(0, 2, 1)
        x = x + self.embed_positions.weight
        for layer in self.layers:
            x = layer(x)
        return self.layer_norm(x)


class Decoder(nn.Module):
    def __init__(self, c, vocab):
        super().__init__()
        d = c["d_model"]
        self.embed_tokens = nn.Embedding(vocab, d)
        self.embed_positions = nn.Embedding(c["max_target_positions"], d)
        self.layers = nn.ModuleList([DecoderLayer(d, c["heads"], c["ffn"]) for _ in range(c["decoder_layers"])])
        self.layer_norm = nn.LayerNorm(d)

    def forward(self, ids, enc=None, past=None):
        """ids [B, S]; past: per layer (k, v, cross_k, cross_v) or None. Returns logits, presents."""
        s = ids.shape[1]
        p = 0 if past is None else past[0][0].shape[2]
        x = self.embed_tokens(ids) + self.embed_positions.weight[p:p + s]
        if past is None:  # causal mask [S, S]
            r = torch.arange(s)
            mask = torch.where(r[None, :] > r[:, None], torch.tensor(NEG), torch.tensor(0.0))
        else:  # one new token sees the whole cache
            mask = None
        presents = []
        for i, layer in enumerate(self.layers):
            if past is None:
                x, pr = layer(x, mask, enc=enc)
            else:
                x, pr = layer(x, mask, past[i][0], past[i][1], cross_k=past[i][2], cross_v=past[i][3])
            presents.append(pr)
        x = self.layer_norm(x)
        return x @ self.embed_tokens.weight.t(), presents


class WhisperModel(nn.Module):
    def __init__(self, c, vocab):
        super().__init__()
        self.encoder = Encoder(c)
        self.decoder = Decoder(c, vocab)


class Whisper(nn.Module):
    """state_dict keys model.encoder.* / model.decoder.* as transformers' WhisperForConditionalGeneration."""

    def __init__(self, c, vocab):
        super().__init__()
        self.model = WhisperModel(c, vocab)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv1d)):
                nn.init.normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        # the two input convolutions at unit-gain scale instead of 0.02, so that at initialisation the audio is not
        # ~2 % of the encoder's residual stream next to the sinusoidal positions (training stalls on the text prior)
        enc = self.model.encoder
        nn.init.normal_(enc.conv1.weight, std=(enc.conv1.weight[0].numel()) ** -0.5)
        nn.init.normal_(enc.conv2.weight, std=(2.0 / enc.conv2.weight[0].numel()) ** 0.5)
        nn.init.normal_(self.model.decoder.embed_tokens.weight, std=0.02)
        nn.init.normal_(self.model.decoder.embed_positions.weight, std=0.02)

    def forward(self, feats, ids):
        enc = self.model.encoder(feats)
        return self.model.decoder(ids, enc)[0]


@torch.no_grad()
def greedy(model, feats, prompt, eot, suppress, begin_suppress, max_len):
    """Greedy decode with the KV cache, as the pipeline's default: suppress_tokens always, begin_suppress_tokens
    at the first generated step. feats [B, 80, frames] -> list of generated token lists (without eot)."""
    enc = model.model.encoder(feats)
    b = feats.shape[0]
    ids = torch.tensor([prompt] * b)
    logits, past = model.model.decoder(ids, enc)
    out = [[] for _ in range(b)]
    done = [False] * b
    for step in range(max_len - len(prompt)):
        l = logits[:, -1].clone()
        l[:, suppress] = NEG
        if step == 0:
            l[:, begin_suppress] = NEG
        nxt = l.argmax(-1)
        for i in range(b):
            if not done[i]:
                if nxt[i].item() == eot:
                    done[i] = True
                else:
                    out[i].append(nxt[i].item())
        if all(done):
            break
        logits, past = model.model.decoder(nxt[:, None], past=past)
    return out
