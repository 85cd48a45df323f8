#!/usr/bin/env python3
"""Trains a PEFT LoRA adapter for a few steps with torch's AdamW: the oracle for the engine's training-loop parity.

For each case (one directory per case under --out), on a base model written by make_fixtures.py (--base-root):
  initial/          PEFT's save_pretrained of get_peft_model(base, LoraConfig(...)) after every trainable tensor was
                    perturbed with a seeded random (PEFT starts lora_B at 0, which would hide bugs in A's gradient)
  final/            the same adapter after --steps optimizer steps (adapter_model.safetensors + adapter_config.json)
  batches.safetensors   input_ids, attention_mask, labels: I64 [steps * accumulation, batch, length] (labels -100 on
                        a random prompt prefix and on the right padding; 4 distinct micro-batches, cycled)
  reference.json    the training settings, per-step loss / grad_norm (before clipping) / lr, versions

The loop is what HF's Trainer does for these settings, written out: for each optimizer step, num_items_in_batch = the
labels != -100 of the step's micro-batches after the shift (labels[..., 1:], as Trainer._get_num_items_in_batch counts);
for each of `accumulation` micro-batches: loss = model(input_ids, attention_mask, labels,
num_items_in_batch=num_items_in_batch).loss (transformers' causal-LM loss: shift by one, summed over labels != -100,
divided by num_items_in_batch); loss.backward() (no division by the accumulation: the Trainer skips it when the model
takes num_items_in_batch); then grad_norm = clip_grad_norm_(trainable, max_grad_norm); AdamW.step();
scheduler.step(); zero_grad(). The reported loss of a step is the sum of its micro-batch losses (the Trainer's tr_loss).
AdamW gets the Trainer's two parameter groups: weight decay on Trainer.get_decay_parameter_names(model), none on the
rest (biases, LayerNorm/RMSNorm weights); reference.json lists the undecayed tensors by their adapter-file keys.
The model stays in eval mode (no dropout anywhere; the engine has no base-model dropout), lora_dropout 0.

  python make_training_fixtures.py --base-root ../src/test/resources/fixtures --out DIR [--seed N] [--only case,...]
"""
import argparse
import json
import os
import re
import shutil
import sys

import torch
from safetensors.torch import save_file

import peft
import transformers
from peft import LoraConfig, get_peft_model
from transformers import (AutoModelForCausalLM, Trainer, get_cosine_schedule_with_warmup,
                          get_linear_schedule_with_warmup)

COMMON = dict(steps=20, accumulation=2, batch=2, length=12, lr=1e-2, weight_decay=0.01, betas=[0.9, 0.999], eps=1e-8,
              max_grad_norm=1.0, warmup=3)

# name -> (base fixture, LoraConfig kwargs, schedule)
CASES = {
    # q/v/o/down of a GQA Llama, linear schedule; full copies of lm_head (decayed) and of every RMSNorm ("norm" is a
    # suffix of input_layernorm, post_attention_layernorm and model.norm; not decayed).
    "llama-linear": ("llama", dict(target_modules=["q_proj", "v_proj", "o_proj", "down_proj"], r=4, lora_alpha=8,
                                   lora_dropout=0.0, modules_to_save=["lm_head", "norm"], task_type="CAUSAL_LM"),
                     "linear"),
    # GPT-2 Conv1D c_attn + c_fc with bias="all" (every bias trains, LayerNorms' too) and modules_to_save=["ln_f"],
    # cosine schedule.
    "gpt2-cosine": ("gpt2", dict(target_modules=["c_attn", "c_fc"], r=4, lora_alpha=16, lora_dropout=0.0, bias="all",
                                 modules_to_save=["ln_f"], task_type="CAUSAL_LM"), "cosine"),
}


# Llama clips at 1.5 so that some steps are clipped and some are not (clip_grad_norm_ then scales by 1.0).
OVERRIDES = {"llama-linear": dict(max_grad_norm=1.5)}


def compact_json(obj):
    text = json.dumps(obj, indent=1, ensure_ascii=False, sort_keys=True)
    return re.sub(r"\[\s*([-0-9.eE+,\s]|Infinity|NaN)*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",") if x.strip()) + "]",
                  text) + "\n"


def perturb(model, seed):
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


def tidy_config(d, base_name):
    path = os.path.join(d, "adapter_config.json")
    with open(path) as f:
        cfg = json.load(f)
    for key in ("target_modules", "exclude_modules"):
        if isinstance(cfg.get(key), list):
            cfg[key] = sorted(cfg[key])
    cfg["base_model_name_or_path"] = "fixtures/" + base_name
    with open(path, "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    readme = os.path.join(d, "README.md")
    if os.path.exists(readme):
        os.remove(readme)


def make_batches(vocab, s, seed):
    g = torch.Generator().manual_seed(seed + 7)
    n = s["steps"] * s["accumulation"]
    b, t = s["batch"], s["length"]
    distinct = 4  # the micro-batches cycle over 4 distinct ones, so that the loss visibly falls
    ids = torch.randint(0, vocab, (distinct, b, t), generator=g).repeat(n // distinct, 1, 1)
    mask = torch.ones(n, b, t, dtype=torch.long)
    labels = ids.clone()
    for i in range(distinct):
        for j in range(b):
            prompt = int(torch.randint(0, t // 2, (1,), generator=g))
            pad = int(torch.randint(0, t // 3, (1,), generator=g)) if (i + j) % 3 == 0 else 0
            labels[i, j, :prompt] = -100
            if pad:
                mask[i, j, t - pad:] = 0
                labels[i, j, t - pad:] = -100
                ids[i, j, t - pad:] = 0
    for i in range(distinct, n):
        ids[i], mask[i], labels[i] = ids[i % distinct], mask[i % distinct], labels[i % distinct]
    return ids, mask, labels


def make_case(name, base_name, kwargs, schedule, base_root, out, seed):
    s = dict(COMMON, schedule=schedule, **OVERRIDES.get(name, {}))
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    base_dir = os.path.join(base_root, base_name)
    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(**kwargs))
    perturb(model, seed)
    model.save_pretrained(os.path.join(d, "initial"))
    tidy_config(os.path.join(d, "initial"), base_name)
    model.eval()  # no dropout (GPT-2's config has 0.1 everywhere); gradients flow all the same

    ids, mask, labels = make_batches(model.config.vocab_size, s, seed)
    trainable = [p for p in model.parameters() if p.requires_grad]
    # Trainer.create_optimizer's grouping (the method uses nothing of the Trainer instance).
    decay_names = set(Trainer.get_decay_parameter_names(None, model))
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [{"params": [p for n, p in named if n in decay_names], "weight_decay": s["weight_decay"]},
              {"params": [p for n, p in named if n not in decay_names], "weight_decay": 0.0}]
    no_decay = sorted(n.replace(".modules_to_save.default.", ".").replace(".default.", ".")
                      for n, p in named if n not in decay_names and ".original_module." not in n)
    opt = torch.optim.AdamW(groups, lr=s["lr"], betas=tuple(s["betas"]), eps=s["eps"])
    make = get_linear_schedule_with_warmup if schedule == "linear" else get_cosine_schedule_with_warmup
    sched = make(opt, num_warmup_steps=s["warmup"], num_training_steps=s["steps"])
    losses, norms, lrs = [], [], []
    k = 0
    for step in range(s["steps"]):
        lrs.append(opt.param_groups[0]["lr"])
        total = 0.0
        num_items_in_batch = sum(labels[k + i][..., 1:].ne(-100).sum() for i in range(s["accumulation"]))
        for _ in range(s["accumulation"]):
            loss = model(input_ids=ids[k], attention_mask=mask[k], labels=labels[k],
                         num_items_in_batch=num_items_in_batch).loss
            loss.backward()
            total += loss.item()
            k += 1
        norm = torch.nn.utils.clip_grad_norm_(trainable, s["max_grad_norm"])
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(total)
        norms.append(norm.item())
    model.save_pretrained(os.path.join(d, "final"))
    tidy_config(os.path.join(d, "final"), base_name)
    save_file({"input_ids": ids.contiguous(), "attention_mask": mask.contiguous(), "labels": labels.contiguous()},
              os.path.join(d, "batches.safetensors"), metadata={"producer": "make_training_fixtures.py"})
    reference = {
        "case": name, "base": base_name, "seed": seed, "lora_config": kwargs, "training": s,
        "losses": losses, "grad_norms": norms, "lrs": lrs, "no_decay_parameters": no_decay,
        "labelled_tokens_per_micro_batch": [int(labels[i][..., 1:].ne(-100).sum()) for i in range(len(labels))],
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__},
    }
    with open(os.path.join(d, "reference.json"), "w") as f:
        f.write(compact_json(reference))
    print(f"{name}: loss {losses[0]:.4f} -> {losses[-1]:.4f}, grad norms {min(norms):.3f}..{max(norms):.3f} "
          f"({sum(n > s['max_grad_norm'] for n in norms)} clipped) -> {d}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base-root", required=True, help="directory holding the gpt2/llama base fixtures")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--only", default=",".join(CASES))
    args = p.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for name in args.only.split(","):
        base_name, kwargs, schedule = CASES[name]
        make_case(name, base_name, kwargs, schedule, args.base_root, args.out, args.seed)


if __name__ == "__main__":
    main()
