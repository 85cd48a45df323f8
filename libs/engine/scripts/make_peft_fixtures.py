#!/usr/bin/env python3
"""Writes PEFT LoRA adapters and PEFT's own outputs for them: the oracle for the engine's LoRA parity tests.

For each case (one directory per case under --out), on a base model written by make_fixtures.py (--base-root):
  adapter_config.json, adapter_model.safetensors   PEFT's save_pretrained of get_peft_model(base, LoraConfig(...)),
                                                   after every trainable tensor was perturbed with a seeded random
                                                   (PEFT initialises lora_B to zero, which would hide every bug)
  logits.safetensors   input_ids (I64 [2, 8]); peft_logits = PeftModel.from_pretrained(fresh base, dir) logits;
                       merged_logits = the same model's merge_and_unload() logits (all F32)
  reference.json       the LoraConfig arguments, get_nb_trainable_parameters() (trainable, all), the adapted modules,
                       the tensor names PEFT saved, versions

  python make_peft_fixtures.py --base-root ../src/test/resources/fixtures --out DIR [--seed N] [--only case,...]

Run with the venv from python-env.sh. Deterministic for a given seed and package versions (list-valued
target_modules/exclude_modules, which PEFT writes from Python sets in hash order, are sorted).
"""
import argparse
import json
import os
import re
import shutil
import sys

import torch
from safetensors import safe_open
from safetensors.torch import save_file

import peft
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

# name -> (base fixture, LoraConfig kwargs). Each covers a part of LoraConfig's semantics.
CASES = {
    # Defaults: target_modules=None -> PEFT's gpt2 default c_attn (Conv1D, fan_in_fan_out).
    "gpt2-default": ("gpt2", dict(r=8, lora_alpha=16, task_type="CAUSAL_LM")),
    # all-linear (head excluded), rsLoRA, rank/alpha patterns (suffix and regex keys, first match wins).
    "gpt2-all-linear": ("gpt2", dict(target_modules="all-linear", r=4, lora_alpha=8, use_rslora=True,
                                     rank_pattern={"c_fc": 2, r"h\.1\.attn\.c_proj": 6},
                                     alpha_pattern={"mlp.c_proj": 3})),
    # bias="all" (every bias, LayerNorms' too) + modules_to_save (a full trainable copy of ln_f).
    "gpt2-bias-save": ("gpt2", dict(target_modules=["c_attn", "mlp.c_proj"], r=4, lora_alpha=4, bias="all",
                                    modules_to_save=["ln_f"])),
    # Suffix names, layers_to_transform + layers_pattern, exclude_modules list, gaussian init, dropout (inactive).
    "gpt2-layers": ("gpt2", dict(target_modules=["c_attn", "c_proj"], layers_to_transform=[1], layers_pattern="h",
                                 exclude_modules=["mlp.c_proj"], init_lora_weights="gaussian", r=2, lora_alpha=4,
                                 lora_dropout=0.1)),
    "llama-default": ("llama", dict(r=8, lora_alpha=16, lora_dropout=0.05, task_type="CAUSAL_LM")),
    # all-linear + rsLoRA + patterns, and modules_to_save on the (untied) LM head.
    "llama-all-linear": ("llama", dict(target_modules="all-linear", r=4, lora_alpha=8, use_rslora=True,
                                       rank_pattern={"down_proj": 2, r"layers\.1\.self_attn\.q_proj": 6},
                                       alpha_pattern={"v_proj": 4}, modules_to_save=["lm_head"])),
    # target_modules as a full-match regex, exclude_modules as a regex.
    "llama-regex": ("llama", dict(target_modules=r".*\.layers\.1\.(self_attn\.(k|o)_proj|mlp\.up_proj)",
                                  exclude_modules=r".*o_proj", r=4, lora_alpha=8)),
    # PiSSA: PEFT subtracts the principal components from the base weights, at init and again at load.
    "llama-pissa": ("llama", dict(target_modules=["q_proj", "v_proj", "down_proj"], init_lora_weights="pissa", r=4,
                                  lora_alpha=8)),
    "qwen2-default": ("qwen2", dict(r=8, lora_alpha=16)),
    # bias="lora_only" (q/k/v biases of the targeted layer), layers_to_transform without a pattern, and
    # modules_to_save=["norm"], which PEFT matches as a plain suffix: model.norm and every *_layernorm.
    "qwen2-bias-norm": ("qwen2", dict(target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], layers_to_transform=[0],
                                      bias="lora_only", modules_to_save=["norm"], r=4, lora_alpha=16)),
    "qwen2-all": ("qwen2", dict(target_modules="all-linear", bias="all", r=4, lora_alpha=8)),
}


def compact_json(obj):
    text = json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=True)
    return re.sub(r"\[\s*([-0-9.eE+,\s]|Infinity|NaN)*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",") if x.strip()) + "]",
                  text) + "\n"


def load_base(path):
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()


def perturb(model, seed):
    """lora_B ~ 0.05 N(0,1) (PEFT starts it at 0), lora_A += 0.05 N(0,1); copied parameters (biases, modules_to_save)
    += 0.1 N(0,1), so that every part of the adapter changes the logits."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            noise = torch.randn(p.shape, generator=g)
            if ".lora_B." in name:
                p.copy_(0.05 * noise)
            elif ".lora_A." in name:
                p.add_(0.05 * noise)
            else:
                p.add_(0.1 * noise)


def make_case(name, base_name, kwargs, base_root, out, seed):
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    base_dir = os.path.join(base_root, base_name)

    torch.manual_seed(seed)
    model = get_peft_model(load_base(base_dir), LoraConfig(**kwargs))
    trainable, total = model.get_nb_trainable_parameters()
    adapted = sorted(n.removeprefix("base_model.model.") for n, m in model.named_modules()
                     if hasattr(m, "lora_A") and "default" in m.lora_A)
    perturb(model, seed)
    model.eval()
    model.save_pretrained(d)
    # PEFT keeps target_modules/exclude_modules as Python sets, written in hash order: sort them so that the output
    # does not depend on PYTHONHASHSEED (PEFT reads them back as sets, so the order means nothing).
    cfg_path = os.path.join(d, "adapter_config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    for key in ("target_modules", "exclude_modules"):
        if isinstance(cfg.get(key), list):
            cfg[key] = sorted(cfg[key])
    cfg["base_model_name_or_path"] = "fixtures/" + base_name  # not the path this script happened to be given
    with open(cfg_path, "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    readme = os.path.join(d, "README.md")
    if os.path.exists(readme):
        os.remove(readme)  # PEFT's template card: not needed by the tests, 5 KB each
    with safe_open(os.path.join(d, "adapter_model.safetensors"), "pt") as f:
        saved_keys = sorted(f.keys())

    g = torch.Generator().manual_seed(seed + 1)
    vocab = model.config.vocab_size
    input_ids = torch.randint(0, vocab, (2, 8), generator=g)
    with torch.no_grad():
        in_memory = model(input_ids=input_ids).logits
        # The oracle: what a user gets from the saved adapter on a fresh base.
        reloaded = PeftModel.from_pretrained(load_base(base_dir), d).eval()
        peft_logits = reloaded(input_ids=input_ids).logits.float().contiguous()
        base_logits = load_base(base_dir)(input_ids=input_ids).logits
        merged = reloaded.merge_and_unload()
        merged_logits = merged(input_ids=input_ids).logits.float().contiguous()
    save_file({"input_ids": input_ids.contiguous(), "peft_logits": peft_logits, "merged_logits": merged_logits},
              os.path.join(d, "logits.safetensors"), metadata={"producer": "make_peft_fixtures.py"})
    reference = {
        "case": name,
        "base": base_name,
        "seed": seed,
        "lora_config": kwargs,
        "trainable_parameters": trainable,
        "all_parameters": total,
        "adapted_modules": adapted,
        "saved_keys": saved_keys,
        "max_abs_diff": {
            "reloaded_vs_in_memory": (peft_logits - in_memory).abs().max().item(),
            "merged_vs_adapter": (merged_logits - peft_logits).abs().max().item(),
            "adapter_vs_base": (peft_logits - base_logits).abs().max().item(),
        },
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__},
    }
    with open(os.path.join(d, "reference.json"), "w") as f:
        f.write(compact_json(reference))
    size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d))
    diffs = reference["max_abs_diff"]
    print(f"{name}: trainable {trainable:,} / all {total:,}, {len(adapted)} modules, {len(saved_keys)} tensors, "
          f"adapter changes logits by {diffs['adapter_vs_base']:.3f}, merged vs adapter {diffs['merged_vs_adapter']:.1e}, "
          f"{size // 1024} KiB -> {d}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-root", required=True, help="directory holding the gpt2/llama/qwen2 base fixtures")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--only", default=",".join(CASES))
    args = p.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for name in args.only.split(","):
        base_name, kwargs = CASES[name]
        make_case(name, base_name, kwargs, args.base_root, args.out, args.seed)


if __name__ == "__main__":
    main()
