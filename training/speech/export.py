"""Exports ckpt/model.pt to out/<name>/ in the `optimum-cli export onnx --task automatic-speech-recognition-with-past`
Whisper layout, with the names, dtypes and dynamic axes src/generate/whisper/models.ts writes:

  encoder_model.onnx            input_features [batch_size, 80, frames] -> last_hidden_state [batch_size, 'encoder_sequence_length / 2', D]
  decoder_model.onnx            input_ids [batch_size, decoder_sequence_length], encoder_hidden_states
                                -> logits, present.{i}.decoder.key/value, present.{i}.encoder.key/value
  decoder_with_past_model.onnx  input_ids [batch_size, 1], past_key_values.{i}.{decoder,encoder}.{key,value}
                                -> logits, present.{i}.decoder.key/value
  decoder_model_merged.onnx     both behind an If on use_cache_branch (make_files.mjs merge = optimum's merge_decoders)

torch.onnx.export, opset 17; the tied output projection stays a Transpose of embed_tokens (no duplicate
initializer); onnx.checker on all four. Also writes ckpt/export_reference.json (torch outputs on fixed inputs)
for check_export.mjs, and runs make_files.mjs for the tokenizer/config files.

  /usr/bin/python3 training/speech/export.py [--ckpt ckpt/model.pt] [--random]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from model import Whisper  # noqa: E402

SPEC = json.load(open(os.path.join(HERE, "model.json")))
TOK = json.load(open(os.path.join(HERE, "out", f"{SPEC['name']}.tokens.json")))
L = SPEC["decoder_layers"]


class Enc(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_features):
        return self.m.model.encoder(input_features)


class Dec(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, encoder_hidden_states):
        logits, pres = self.m.model.decoder(input_ids, encoder_hidden_states)
        return (logits, *[t for p in pres for t in p])


class DecPast(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, *pkv):
        past = [tuple(pkv[4 * i:4 * i + 4]) for i in range(L)]
        logits, pres = self.m.model.decoder(input_ids, past=past)
        return (logits, *[t for p in pres for t in p[:2]])


def untie(path, embed):
    """torch constant-folds embed_tokens.weight^T into a second initializer; put back a Transpose of the Gather's weight."""
    m = onnx.load(path)
    g = m.graph
    emb_name = None
    for init in g.initializer:
        a = numpy_helper.to_array(init)
        if a.shape == embed.shape and np.array_equal(a, embed):
            emb_name = init.name
    for init in list(g.initializer):
        a = numpy_helper.to_array(init)
        if a.shape == embed.T.shape and np.array_equal(a, embed.T):
            name = init.name
            g.initializer.remove(init)
            new = "model.decoder.embed_tokens.weight_transposed"
            for n in g.node:
                n.input[:] = [new if i == name else i for i in n.input]
            g.node.insert(0, helper.make_node("Transpose", [emb_name], [new], name="Transpose_tied_proj_out", perm=[1, 0]))
    onnx.save(m, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(HERE, "ckpt", "model.pt"))
    ap.add_argument("--random", action="store_true", help="export the seeded initial weights (layout test)")
    ap.add_argument("--out", default=os.path.join(HERE, "out", SPEC["name"]))
    ap.add_argument("--build", default=os.environ.get("ONNXFLOW_BUILD", ".build/h8"), help="onnxflow build folder for make_files.mjs")
    a = ap.parse_args()
    torch.manual_seed(0)
    model = Whisper(SPEC, TOK["vocab_size"]).eval()
    if not a.random:
        model.load_state_dict(torch.load(a.ckpt)["model"])
    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["node", os.path.join(HERE, "make_files.mjs"), "files", a.out, "--build", a.build], check=True, cwd=ROOT)
    D, H = SPEC["d_model"], SPEC["heads"]
    dh = D // H
    frames = SPEC["chunk_length"] * 100
    enc_len = frames // 2
    B = "batch_size"
    feats = torch.randn(1, 80, frames, generator=torch.Generator().manual_seed(1)) * 0.3
    with torch.no_grad():
        enc = model.model.encoder(feats)
        torch.onnx.export(Enc(model), (feats,), os.path.join(a.out, "encoder_model.onnx"), opset_version=17,
                          input_names=["input_features"], output_names=["last_hidden_state"],
                          dynamic_axes={"input_features": {0: B}, "last_hidden_state": {0: B, 1: "encoder_sequence_length / 2"}})
        ids = torch.tensor([TOK["prompt"]])
        pres_names = [f"present.{i}.{k}.{v}" for i in range(L) for k in ("decoder", "encoder") for v in ("key", "value")]
        dyn = {"input_ids": {0: B, 1: "decoder_sequence_length"}, "encoder_hidden_states": {0: B, 1: "encoder_sequence_length / 2"},
               "logits": {0: B, 1: "decoder_sequence_length"}}
        for n in pres_names:
            dyn[n] = {0: B, 2: "past_decoder_sequence_length + 1" if ".decoder." in n else "encoder_sequence_length_out"}
        torch.onnx.export(Dec(model), (ids, enc), os.path.join(a.out, "decoder_model.onnx"), opset_version=17,
                          input_names=["input_ids", "encoder_hidden_states"], output_names=["logits"] + pres_names, dynamic_axes=dyn)
        out = Dec(model)(ids, enc)
        past = out[1:]
        nxt = torch.tensor([[TOK["words"]["three"]]])
        pkv_names = [n.replace("present", "past_key_values") for n in pres_names]
        dyn = {"input_ids": {0: B}, "logits": {0: B, 1: "1"}}
        for n in pkv_names:
            dyn[n] = {0: B, 2: "past_decoder_sequence_length" if ".decoder." in n else "encoder_sequence_length_out"}
        pres_dec = [n for n in pres_names if ".decoder." in n]
        for n in pres_dec:
            dyn[n] = {0: B, 2: "past_decoder_sequence_length + 1"}
        torch.onnx.export(DecPast(model), (nxt, *past), os.path.join(a.out, "decoder_with_past_model.onnx"), opset_version=17,
                          input_names=["input_ids"] + pkv_names, output_names=["logits"] + pres_dec, dynamic_axes=dyn)
        out2 = DecPast(model)(nxt, *past)
    embed = model.model.decoder.embed_tokens.weight.detach().numpy()
    for f in ("decoder_model.onnx", "decoder_with_past_model.onnx"):
        untie(os.path.join(a.out, f), embed)
    subprocess.run(["node", os.path.join(HERE, "make_files.mjs"), "merge", a.out, "--build", a.build], check=True, cwd=ROOT)
    sizes = {}
    for f in ("encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx", "decoder_model_merged.onnx"):
        p = os.path.join(a.out, f)
        m = onnx.load(p)
        if m.ir_version > onnx.IR_VERSION:  # the merged model is IR 9 (as src/generate/common/merge.ts writes); onnx 1.12 checks IR <= 8
            m.ir_version = onnx.IR_VERSION
        onnx.checker.check_model(m, full_check=True)
        sizes[f] = os.path.getsize(p)
    print("onnx.checker ok;", sizes, "total", sum(sizes.values()))
    os.makedirs(os.path.join(HERE, "ckpt"), exist_ok=True)
    ref = {"input_features_seed": 1, "input_features": feats.flatten().tolist(),
           "last_hidden_state": enc.flatten().tolist(), "prompt": TOK["prompt"], "decoder_logits_last": out[0][0, -1].tolist(),
           "next_id": nxt.item(), "with_past_logits": out2[0][0, -1].tolist(),
           "params": sum(p.numel() for p in model.parameters() if p.requires_grad)}
    json.dump(ref, open(os.path.join(HERE, "ckpt", "export_reference.json"), "w"))


if __name__ == "__main__":
    main()
