#!/usr/bin/env python3
"""Evaluation loss of JSONL datasets computed by transformers (and PEFT): the oracle of the engine's loss parity tests.

For each case (base model, optional PEFT adapter, dataset), every row is tokenized by the engine's rules, written here
independently with transformers' tokenizer:
  text               tok(text) (+ eos_token unless already last); every token learned
  prompt/completion  tok(prompt) + tok(completion, add_special_tokens=False) + eos_token; the prompt is -100
  chat               tok(apply_chat_template(messages)); assistant turns with weight != 0 learned, located as in
                     chat_masks.py (the prefix rendered with add_generation_prompt=True up to the turn's end)
(GPT-2 rows cut at n_positions, as the engine's evaluation does), then all rows form one right-padded batch (pad = pad_token, else eos_token; attention mask 0 and label -100 on padding)
and the loss is transformers' own: model(input_ids, attention_mask=..., labels=...).loss, the mean cross-entropy over
every label token of the batch, i.e. the token-weighted mean NLL. Also written: the float64 sum of per-token NLLs and
the token count.

  python eval_loss_oracle.py --fixtures ../src/test/resources/fixtures --data ../src/test/resources/fixtures/evaluation \
      --out reference.json
"""
import argparse
import json
import math
import os
import re
import sys

import torch
import torch.nn.functional as F
import transformers
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat_masks import render  # noqa: E402  (the same prefix rule as ChatMasksIT's oracle)

BASES = ["gpt2", "llama", "llama-tied", "qwen2"]
DATASETS = ["text", "prompt-completion", "chat"]
# PEFT adapters (make_peft_fixtures.py) evaluated on the prompt/completion and chat datasets.
ADAPTERS = ["gpt2-bias-save", "llama-all-linear", "qwen2-all"]


def load_tokenizer(model_dir):
    """transformers' fast tokenizer over tokenizer.json as the file defines it, as the engine reads it. (AutoTokenizer
    would pick Qwen2Tokenizer for model_type qwen2, which in transformers 5 replaces the file's pre-tokenizer with
    Qwen2's digit-splitting pattern: the same on real Qwen2 checkpoints, whose tokenizer.json has that pattern, but not
    on the fixture's GPT-2-style byte-level BPE.)"""
    return PreTrainedTokenizerFast.from_pretrained(model_dir)


def compact_json(obj):
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    return re.sub(r"\[\s*([-0-9.eE+,\s]|Infinity|NaN)*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",") if x.strip()) + "]",
                  text) + "\n"


def with_eos(ids, eos):
    return ids if eos is None or (ids and ids[-1] == eos) else ids + [eos]


def encode(tok, row):
    eos = tok.convert_tokens_to_ids(tok.eos_token) if tok.eos_token is not None else None
    if "messages" in row:
        messages = row["messages"]
        full = render(tok, messages, False)
        ids = tok(full, add_special_tokens=False)["input_ids"]
        labels = [-100] * len(ids)
        for i, m in enumerate(messages):
            if m["role"] != "assistant" or m.get("weight", 1) == 0:
                continue
            prefix = render(tok, messages[:i], True)
            if not full.startswith(prefix):
                prefix = render(tok, messages[:i], False)
            start = len(tok(prefix, add_special_tokens=False)["input_ids"]) if prefix else 0
            end = len(tok(render(tok, messages[:i + 1], False), add_special_tokens=False)["input_ids"])
            labels[start:end] = ids[start:end]
        return ids, labels
    if "prompt" in row and "completion" in row:
        p = tok(row["prompt"])["input_ids"]
        c = with_eos(tok(row["completion"], add_special_tokens=False)["input_ids"], eos)
        return p + c, [-100] * len(p) + c
    ids = with_eos(tok(row["text"])["input_ids"], eos)
    return ids, list(ids)


def loss_of(model, tok, examples):
    pad = tok.pad_token if tok.pad_token is not None else tok.eos_token
    pad_id = tok.convert_tokens_to_ids(pad) if pad is not None else 0
    length = max(2, max(len(ids) for ids, _ in examples))
    input_ids, mask, labels = [], [], []
    for ids, lab in examples:
        n = length - len(ids)
        input_ids.append(ids + [pad_id] * n)
        mask.append([1] * len(ids) + [0] * n)
        labels.append(lab + [-100] * n)
    input_ids, mask, labels = torch.tensor(input_ids), torch.tensor(mask), torch.tensor(labels)
    with torch.no_grad():
        out = model(input_ids=input_ids, attention_mask=mask, labels=labels)
    logits = out.logits.float()[:, :-1, :]
    target = labels[:, 1:]
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).double(), target.reshape(-1), ignore_index=-100,
                          reduction="sum")
    tokens = int((target != -100).sum())
    return float(out.loss), float(nll), tokens


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fixtures", required=True, help="the directory make_fixtures.py wrote (with peft/ inside)")
    p.add_argument("--data", required=True, help="directory of text.jsonl, prompt-completion.jsonl, chat.jsonl")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    rows = {}
    for name in DATASETS:
        with open(os.path.join(args.data, name + ".jsonl"), encoding="utf-8") as f:
            rows[name] = [json.loads(line) for line in f if line.strip()]

    plan = [(base, None, name) for base in BASES for name in DATASETS]
    plan += [(a.split("-")[0], a, name) for a in ADAPTERS for name in DATASETS if name != "text"]
    cases = []
    for base, adapter, name in plan:
        d = os.path.join(args.fixtures, base)
        tok = load_tokenizer(d)
        model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
        if adapter:
            from peft import PeftModel
            model = PeftModel.from_pretrained(model, os.path.join(args.fixtures, "peft", adapter)).eval()
        examples = [encode(tok, r) for r in rows[name]]
        # GPT-2 has no positions beyond n_positions: rows are cut at the right there (the engine's truncation).
        limit = getattr(model.config, "n_positions", None) if model.config.model_type == "gpt2" else None
        truncated = sum(1 for ids, _ in examples if limit and len(ids) > limit)
        if limit:
            examples = [(ids[:limit], labels[:limit]) for ids, labels in examples]
        loss, nll, tokens = loss_of(model, tok, examples)
        case_name = f"{adapter or base}/{name}"
        print(f"{case_name:32s} {len(examples)} rows ({truncated} truncated), {tokens:3d} label tokens,"
              f" loss {loss:.6f} (float64 per-token mean {nll / tokens:.6f})", file=sys.stderr)
        cases.append({"name": case_name, "model": base, "adapter": adapter, "dataset": name + ".jsonl",
                      "examples": [{"input_ids": i, "labels": l} for i, l in examples],
                      "max_length": limit, "truncated": truncated,
                      "loss": loss, "nll_sum": nll, "tokens": tokens, "perplexity": math.exp(loss)})
    out = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                        "peft": __import__("peft").__version__}, "cases": cases}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(compact_json(out))


if __name__ == "__main__":
    main()
