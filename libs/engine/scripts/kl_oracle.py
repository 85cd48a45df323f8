#!/usr/bin/env python3
"""The forgetting term computed by PyTorch + PEFT: the oracle of the engine's KL(base || adapter).

Reads a base model directory, a PEFT adapter directory and a batch (safetensors with I64 input_ids and attention_mask
[B, T]); computes, in float32 as the engine does,
  per position: sum_v p_base(v) * (log p_base(v) - log p_adapter(v))  = F.kl_div(log_adapter, log_base,
                                                                          log_target=True, reduction="none").sum(-1)
  KL = mean over the positions whose attention mask is 1
and the adapter's mean next-token loss over the labels (= input_ids where the mask is 1, shifted by one), and prints
{"kl": ..., "reference_loss": ..., "positions": ..., "tokens": ...} as JSON.

  python kl_oracle.py --base DIR --adapter DIR --batch FILE.safetensors
"""
import argparse
import json

import torch
import torch.nn.functional as F
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True)
    p.add_argument("--adapter", required=True)
    p.add_argument("--batch", required=True)
    args = p.parse_args()
    torch.set_num_threads(1)
    batch = load_file(args.batch)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(args.base, dtype=torch.float32),
                                      args.adapter).eval()
    with torch.no_grad():
        adapter_logits = model(input_ids=ids, attention_mask=mask).logits
        with model.disable_adapter():
            base_logits = model(input_ids=ids, attention_mask=mask).logits
    log_base = F.log_softmax(base_logits, dim=-1)
    log_adapter = F.log_softmax(adapter_logits, dim=-1)
    per_position = F.kl_div(log_adapter, log_base, log_target=True, reduction="none").sum(-1)
    keep = mask.bool()
    kl = per_position[keep].mean()
    labels = ids.masked_fill(~keep, -100)
    loss = F.cross_entropy(adapter_logits[:, :-1].reshape(-1, adapter_logits.shape[-1]), labels[:, 1:].reshape(-1),
                           ignore_index=-100)
    print(json.dumps({"kl": kl.item(), "reference_loss": loss.item(), "positions": int(keep.sum()),
                      "tokens": int((labels[:, 1:] != -100).sum())}))


if __name__ == "__main__":
    main()
