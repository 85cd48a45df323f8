#!/usr/bin/env python3
"""What PEFT and transformers make of files the engine wrote: the reverse direction of the LoRA parity tests.

  python peft_oracle.py --ids IDS.safetensors --out OUT.safetensors \
      [--base BASE_DIR --adapter ADAPTER_DIR] [--model MODEL_DIR]
  python peft_oracle.py --batch JOBS.json     (a list of {"ids", "out", "base", "adapter", "model"}: one import of
                                              torch for many jobs; prints the list of reports)

--base + --adapter  loads the base in fp32 and the adapter with PeftModel.from_pretrained(is_trainable=True), as a
                    user would, then writes adapter_logits (eval mode, no grad) and merged_logits (merge_and_unload()).
                    Reports get_nb_trainable_parameters(), and compares PEFT's own get_peft_model_state_dict() with the
                    tensors in adapter_model.safetensors (keys and values), which proves PEFT loaded every tensor.
--model             loads a plain Hugging Face model directory (e.g. a merged model the engine saved) with
                    AutoModelForCausalLM and writes model_logits.

IDS.safetensors holds input_ids (I64 [B, T]). The report is one JSON object on the last line of stdout.
"""
import argparse
import json
import warnings

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from peft import PeftModel, get_peft_model_state_dict
from transformers import AutoModelForCausalLM


def run(args):
    with safe_open(args.ids, "pt") as f:
        input_ids = f.get_tensor("input_ids")
    outputs = {}
    report = {}
    if args.adapter:
        base = AutoModelForCausalLM.from_pretrained(args.base, dtype=torch.float32)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = PeftModel.from_pretrained(base, args.adapter, is_trainable=True)
        report["warnings"] = sorted({str(w.message) for w in caught if "adapter" in str(w.message).lower()
                                     or "key" in str(w.message).lower()})
        trainable, total = model.get_nb_trainable_parameters()
        report["trainable_parameters"] = trainable
        report["all_parameters"] = total
        state = get_peft_model_state_dict(model)
        with safe_open(args.adapter + "/adapter_model.safetensors", "pt") as f:
            written = {k: f.get_tensor(k) for k in f.keys()}
        report["missing_in_peft"] = sorted(set(written) - set(state))
        report["extra_in_peft"] = sorted(set(state) - set(written))
        report["state_dict_max_abs_diff"] = max(
            [(state[k].float() - written[k].float()).abs().max().item() for k in written if k in state] or [0.0])
        report["adapted_modules"] = sorted(n.removeprefix("base_model.model.") for n, m in model.named_modules()
                                           if hasattr(m, "lora_A") and "default" in m.lora_A)
        model.eval()
        with torch.no_grad():
            outputs["adapter_logits"] = model(input_ids=input_ids).logits.float().contiguous()
            merged = model.merge_and_unload()
            outputs["merged_logits"] = merged(input_ids=input_ids).logits.float().contiguous()
    if args.model:
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
        with torch.no_grad():
            outputs["model_logits"] = model(input_ids=input_ids).logits.float().contiguous()
        report["model_parameters"] = sum(p.numel() for p in model.parameters())
        report["model_tied"] = bool(model.config.tie_word_embeddings)
    save_file(outputs, args.out, metadata={"producer": "peft_oracle.py"})
    return report


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ids")
    p.add_argument("--out")
    p.add_argument("--base")
    p.add_argument("--adapter")
    p.add_argument("--model")
    p.add_argument("--batch")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.batch:
        with open(args.batch) as f:
            jobs = json.load(f)
        reports = [run(argparse.Namespace(**{k: job.get(k) for k in ("ids", "out", "base", "adapter", "model")}))
                   for job in jobs]
        print(json.dumps(reports))
    else:
        if not args.ids or not args.out:
            p.error("--ids and --out are required without --batch")
        print(json.dumps(run(args)))


if __name__ == "__main__":
    main()
