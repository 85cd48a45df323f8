#!/usr/bin/env python3
"""Load an adapter that LoRA Foundry trained with Hugging Face transformers + PEFT, and check it against the demo's
targets on the starter model: exact match on the held-out dates and general-text perplexity with the adapter on/off.

    PY=$(libs/engine/scripts/python-env.sh)             # a venv with torch, transformers, peft (local wheelhouse)
    $PY demo/scripts/try_adapter.py .foundry/demo/<job>/<team>-dates-in-words-v1
    $PY demo/scripts/try_adapter.py ADAPTER_DIR --base demo/starter/model --limit 50 --prompt 'Date 2031-07-04 in words:'

Nothing here comes from LoRA Foundry's code: the adapter directory is read by PEFT as it is (adapter_config.json,
adapter_model.safetensors), so this is also the proof that the platform's files load unchanged elsewhere.
Exit code 0 when both targets hold (>= 90% exact match, <= 5% perplexity rise), 1 otherwise.
"""
import argparse
import json
import math
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("adapter", type=Path, help="a PEFT adapter directory (adapter_config.json, ...)")
    parser.add_argument("--base", type=Path, default=DEMO / "starter" / "model")
    parser.add_argument("--heldout", type=Path, default=DEMO / "starter" / "data" / "dates-heldout.jsonl")
    parser.add_argument("--reference", type=Path, default=DEMO / "starter" / "data" / "general-reference.jsonl")
    parser.add_argument("--limit", type=int, default=200, help="held-out rows to generate for (default 200)")
    parser.add_argument("--prompt", action="append", default=[], help="also print the continuation of this prompt")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(args.base)
    base = AutoModelForCausalLM.from_pretrained(args.base, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, args.adapter).eval()
    config = json.loads((args.adapter / "adapter_config.json").read_text())
    targets = config["target_modules"]  # a list of names, or one string (a regex or "all-linear")
    targets = targets if isinstance(targets, str) else sorted(targets)
    print(f"PEFT loaded {args.adapter}: r={config['r']} lora_alpha={config['lora_alpha']} target_modules={targets}")

    rows = [json.loads(line) for line in args.heldout.read_text().splitlines() if line.strip()][: args.limit]
    eos = tokenizer.eos_token_id
    correct = 0
    with torch.no_grad():
        for i, row in enumerate(rows):
            ids = torch.tensor([tokenizer.encode(row["prompt"], add_special_tokens=False)])
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=16,
                                 do_sample=False, eos_token_id=eos, pad_token_id=eos)
            new = out[0, ids.shape[1]:].tolist()
            ended = eos in new
            text = tokenizer.decode(new[: new.index(eos)] if ended else new)
            correct += ended and text == row["completion"]
            if i < 3:
                print(f"  {row['prompt']!r} -> {text!r} (expected {row['completion']!r})")
    exact_match = correct / len(rows)

    reference = [json.loads(line)["text"] for line in args.reference.read_text().splitlines() if line.strip()]
    on = perplexity(model, tokenizer, reference, eos)
    with model.disable_adapter():
        off = perplexity(model, tokenizer, reference, eos)
    rise = on / off - 1
    print(f"exact match on {len(rows)} held-out dates: {exact_match:.1%} (target >= 90%)")
    print(f"general-text perplexity: {off:.4f} without the adapter, {on:.4f} with it: {rise:+.2%} (target <= +5%)")
    for prompt in args.prompt:
        ids = torch.tensor([tokenizer.encode(prompt, add_special_tokens=False)])
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=16, do_sample=False,
                             eos_token_id=eos, pad_token_id=eos)
        print(f"  {prompt!r} -> {tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)!r}")
    return 0 if exact_match >= 0.9 and rise <= 0.05 else 1


def perplexity(model, tokenizer, texts, eos):
    """Token-weighted perplexity over the rows, each encoded with its end-of-text (as the engine measures it)."""
    import torch

    total, count = 0.0, 0
    with torch.no_grad():
        for text in texts:
            ids = torch.tensor([tokenizer.encode(text, add_special_tokens=False) + [eos]])
            loss = model(input_ids=ids, labels=ids).loss.item()
            total += loss * (ids.shape[1] - 1)
            count += ids.shape[1] - 1
    return math.exp(total / count)


if __name__ == "__main__":
    sys.exit(main())
