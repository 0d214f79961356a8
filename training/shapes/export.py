"""Export the trained shapes models in the `optimum-cli export onnx` Stable Diffusion layout that
pipelines/stable-diffusion.yaml reads (the same files, names, dtypes and dynamic axes as
src/generate/sd):
  model_index.json, scheduler/scheduler_config.json, tokenizer/{vocab.json, merges.txt,
  tokenizer_config.json, special_tokens_map.json}, {text_encoder,unet,vae_decoder,vae_encoder}/
  {model.onnx, config.json}
  /usr/bin/python3 export.py [--out ../../models/shapes-sd]
Needs ckpt/vae.pt and ckpt/unet.pt (or only vae.pt with --vae-only: then the text encoder/UNet are
the untrained initialisations, useful to test the layout)."""
import argparse
import json
import os

import onnx
import torch

from models import TextEncoder, UNet, VaeDecoder, VaeEncoder, nparams
from tokenizer import shapes_tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
DIFFUSERS_VERSION = "0.31.0"
OPSET = 17


def dump(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=2) + "\n")


def scheduler_config(kind="ddim"):
    """SD 1.5's PNDMScheduler config (as src/generate/sd/configs.ts), or the DDIMScheduler config with the
    same betas / spacing / offset (default: this small model samples well with DDIM, Euler, DPM++ at 20
    steps, but PNDM's 4th-order extrapolation at guidance 7.5 gives distorted images; see README)."""
    if kind == "ddim":
        return {
            "_class_name": "DDIMScheduler", "_diffusers_version": DIFFUSERS_VERSION,
            "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False,
            "clip_sample_range": 1.0, "dynamic_thresholding_ratio": 0.995, "num_train_timesteps": 1000,
            "prediction_type": "epsilon", "rescale_betas_zero_snr": False, "sample_max_value": 1.0,
            "set_alpha_to_one": False, "steps_offset": 1, "thresholding": False, "timestep_spacing": "leading",
            "trained_betas": None,
        }
    return {
        "_class_name": "PNDMScheduler", "_diffusers_version": DIFFUSERS_VERSION,
        "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False,
        "clip_sample_range": 1.0, "dynamic_thresholding_ratio": 0.995, "num_train_timesteps": 1000,
        "prediction_type": "epsilon", "sample_max_value": 1.0, "set_alpha_to_one": False,
        "skip_prk_steps": True, "steps_offset": 1, "thresholding": False, "timestep_spacing": "leading",
        "trained_betas": None,
    }


def model_index(kind="ddim"):
    return {
        "_class_name": "StableDiffusionPipeline", "_diffusers_version": DIFFUSERS_VERSION,
        "feature_extractor": [None, None], "image_encoder": [None, None], "requires_safety_checker": False,
        "safety_checker": [None, None], "scheduler": ["diffusers", "DDIMScheduler" if kind == "ddim" else "PNDMScheduler"],
        "text_encoder": ["transformers", "CLIPTextModel"], "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "UNet2DConditionModel"], "vae": ["diffusers", "AutoencoderKL"],
    }


NOTE = "onnxflow training/shapes: a small model with this interface, not the diffusers architecture (see training/shapes/models.py)"


def unet_config(ctx_dim):
    return {
        "_class_name": "UNet2DConditionModel", "_diffusers_version": DIFFUSERS_VERSION, "_onnxflow_note": NOTE,
        "act_fn": "silu", "attention_head_dim": 4, "block_out_channels": [64, 128],
        "center_input_sample": False, "cross_attention_dim": ctx_dim,
        "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"], "flip_sin_to_cos": True,
        "freq_shift": 0, "in_channels": 4, "layers_per_block": 1, "mid_block_type": "UNetMidBlock2DCrossAttn",
        "norm_eps": 1e-5, "norm_num_groups": 8, "out_channels": 4, "sample_size": 8,
        "time_embedding_type": "positional", "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    }


def vae_config(scaling):
    return {
        "_class_name": "AutoencoderKL", "_diffusers_version": DIFFUSERS_VERSION, "_onnxflow_note": NOTE,
        "act_fn": "silu", "block_out_channels": [16, 32, 64],
        "down_block_types": ["DownEncoderBlock2D"] * 3, "force_upcast": True, "in_channels": 3,
        "latent_channels": 4, "layers_per_block": 1, "norm_num_groups": 8, "out_channels": 3,
        "sample_size": 64, "scaling_factor": scaling, "shift_factor": None,
        "up_block_types": ["UpDecoderBlock2D"] * 3, "use_post_quant_conv": False, "use_quant_conv": False,
    }


def text_encoder_config(dim, vocab, layers=2):
    return {
        "_onnxflow_note": NOTE, "architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0,
        "dropout": 0.0, "eos_token_id": 2, "hidden_act": "quick_gelu", "hidden_size": dim,
        "initializer_factor": 1.0, "initializer_range": 0.02, "intermediate_size": 2 * dim, "layer_norm_eps": 1e-5,
        "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 4,
        "num_hidden_layers": layers, "pad_token_id": 1, "projection_dim": dim, "torch_dtype": "float32",
        "vocab_size": vocab,
    }


def export(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return os.path.getsize(path)


class TE(torch.nn.Module):
    def __init__(self, te):
        super().__init__(); self.te = te

    def forward(self, input_ids):
        return self.te(input_ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "models", "shapes-sd"))
    ap.add_argument("--vae-only", action="store_true")
    ap.add_argument("--scheduler", choices=["ddim", "pndm"], default="ddim", help="scheduler_config.json class (same betas)")
    ap.add_argument("--ckpt", default=os.path.join(HERE, "ckpt"), help="folder with vae.pt / unet.pt")
    a = ap.parse_args()
    torch.manual_seed(0)
    out = a.out
    tok = shapes_tokenizer()
    vae = torch.load(os.path.join(a.ckpt, "vae.pt"))
    enc, dec = VaeEncoder(), VaeDecoder()
    enc.load_state_dict(vae["encoder"]); dec.load_state_dict(vae["decoder"])
    te, unet = TextEncoder(tok.vocab_size), UNet()
    if not a.vae_only:
        ck = torch.load(os.path.join(a.ckpt, "unet.pt"))
        te, unet = TextEncoder(tok.vocab_size, layers=ck.get("te_layers", 2)), UNet(ctx_len=ck.get("ctx_len", 0))
        te.load_state_dict(ck.get("ema_text_encoder", ck["text_encoder"])); unet.load_state_dict(ck.get("ema_unet", ck["unet"]))
    dim = te.final.normalized_shape[0]

    dump(os.path.join(out, "model_index.json"), model_index(a.scheduler))
    dump(os.path.join(out, "scheduler", "scheduler_config.json"), scheduler_config(a.scheduler))
    tok.save(os.path.join(out, "tokenizer"))
    sizes = {}
    ids = torch.tensor([tok.encode("a red circle on a blue background")] * 2)
    sizes["text_encoder"] = export(
        TE(te), (ids,), os.path.join(out, "text_encoder", "model.onnx"), ["input_ids"], ["last_hidden_state", "pooler_output"],
        {"input_ids": {0: "batch_size", 1: "sequence_length"},
         "last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooler_output": {0: "batch_size"}})
    dump(os.path.join(out, "text_encoder", "config.json"), text_encoder_config(dim, tok.vocab_size, len(te.layers)))
    sizes["unet"] = export(
        unet, (torch.randn(2, 4, 8, 8), torch.tensor(500.0), torch.randn(2, 77, dim)),
        os.path.join(out, "unet", "model.onnx"), ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
        {"sample": {0: "batch_size", 2: "height", 3: "width"},
         "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
         "out_sample": {0: "batch_size", 2: "height", 3: "width"}})
    dump(os.path.join(out, "unet", "config.json"), unet_config(dim))
    sizes["vae_decoder"] = export(
        dec, (torch.randn(1, 4, 8, 8),), os.path.join(out, "vae_decoder", "model.onnx"), ["latent_sample"], ["sample"],
        {"latent_sample": {0: "batch_size", 2: "latent_height", 3: "latent_width"},
         "sample": {0: "batch_size", 2: "latent_height * 8", 3: "latent_width * 8"}})
    dump(os.path.join(out, "vae_decoder", "config.json"), vae_config(vae["scaling_factor"]))
    sizes["vae_encoder"] = export(
        enc, (torch.randn(1, 3, 64, 64),), os.path.join(out, "vae_encoder", "model.onnx"), ["sample"], ["latent_parameters"],
        {"sample": {0: "batch_size", 2: "sample_height", 3: "sample_width"},
         "latent_parameters": {0: "batch_size", 2: "sample_height / 8", 3: "sample_width / 8"}})
    dump(os.path.join(out, "vae_encoder", "config.json"), vae_config(vae["scaling_factor"]))
    params = {"text_encoder": nparams(te), "unet": nparams(unet), "vae_decoder": nparams(dec), "vae_encoder": nparams(enc)}
    for k in sizes:
        print(f"{k}: {params[k]} params, {sizes[k]} bytes")
    # reference outputs for check_export.mjs (engine vs torch on the same inputs)
    g = torch.Generator().manual_seed(0)
    ref = {}
    with torch.no_grad():
        x = torch.randn(1, 4, 8, 8, generator=g)
        ctx = te(ids[:1])[0]
        ref["text_encoder"] = {"input_ids": ids[:1].tolist(), "last_hidden_state_sum": te(ids[:1])[0].sum().item(),
                               "pooler_output": te(ids[:1])[1].flatten().tolist()}
        ref["unet"] = {"sample": x.flatten().tolist(), "timestep": 321.0,
                       "out_sample": unet(x, torch.tensor(321.0), ctx).flatten().tolist()}
        ref["vae_decoder"] = {"sample_head": dec(x).flatten()[:64].tolist()}
    dump(os.path.join(a.ckpt, "export_reference.json"), ref)
    from data import heldout_prompts
    with open(os.path.join(a.ckpt, "tokenizer_reference.json"), "w") as f:
        json.dump([tok.encode(p) for p, _, _ in heldout_prompts()], f)
    dump(os.path.join(a.ckpt, "export_info.json"), {"params": params, "onnx_bytes": sizes, "opset": OPSET, "torch": torch.__version__, "onnx": onnx.__version__})


if __name__ == "__main__":
    main()
