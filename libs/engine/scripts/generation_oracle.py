#!/usr/bin/env python3
"""Greedy generations by transformers' generate(do_sample=False): the oracle of the engine's generation parity tests.

For every base model written by make_fixtures.py (--fixtures) and every PEFT adapter written by make_peft_fixtures.py
(--fixtures/peft), it generates --max-new-tokens tokens greedily after a plain-text prompt and after a chat prompt
(apply_chat_template(add_generation_prompt=True)); adapters get the plain-text prompt only. A "text-eos" variant of
each base's text case adds a generated token to the EOS ids, so that generation ends on an EOS.

Random tiny models can have near-ties between the two best logits, where float rounding (~1e-6 here) may pick either
token. So each case takes the first prompt of a candidate list whose smallest top-2 logit margin over all steps is
above --min-margin, and records every step's margin; if no candidate has one, the case is written with
"near_tie": true (the Java test then compares only up to the first near-tie step, and says so).

EOS: the tokenizer's eos_token plus model.generation_config.eos_token_id (from generation_config.json, or from
config.json when there is none), passed explicitly to generate, as the engine's EosTokens reads them.

  python generation_oracle.py --fixtures ../src/test/resources/fixtures --out generation.json [--max-new-tokens 20]
"""
import argparse
import json
import os
import re
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

BASES = ["gpt2", "llama", "llama-tied", "qwen2"]

TEXT_PROMPTS = [
    "Hello, world!",
    "The quick brown fox",
    "Date 1965-05-10 in words:",
    "LoRA adapters train a",
    "Tokenizers split text into",
    "user asks, assistant answers,",
    "Caf\u00e9 cr\u00e8me costs",
    "Hello again",
]

CHAT_PROMPTS = [
    [{"role": "user", "content": "What is LoRA?"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hello, world!"}],
    [{"role": "user", "content": "Date 1965-05-10 in words:"}],
    [{"role": "user", "content": "The quick brown fox"}],
    [{"role": "user", "content": "Thanks!"}],
]


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


def eos_ids(tok, model):
    ids = []
    if tok.eos_token is not None:
        ids.append(tok.convert_tokens_to_ids(tok.eos_token))
    gen = model.generation_config.eos_token_id
    for i in (gen if isinstance(gen, list) else [gen] if gen is not None else []):
        if i not in ids:
            ids.append(i)
    return ids


def greedy(model, prompt_ids, eos, max_new_tokens):
    input_ids = torch.tensor([prompt_ids])
    with torch.no_grad():
        out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False,
                             max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=eos[0],
                             output_logits=True, return_dict_in_generate=True)
    generated = out.sequences[0, len(prompt_ids):].tolist()
    margins = []
    for step_logits in out.logits:
        top2 = torch.topk(step_logits[0].float(), 2).values
        margins.append(float(top2[0] - top2[1]))
    finish = "eos" if generated and generated[-1] in eos else "length"
    return generated, margins, finish


def chat_ids(tok, messages):
    text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tok(text, add_special_tokens=False)["input_ids"]


def pick(model, tok, kind, candidates, eos, args):
    """The first candidate prompt without a near-tie; else the one whose smallest margin is largest."""
    best = None
    for prompt in candidates:
        ids = tok(prompt)["input_ids"] if kind == "text" else chat_ids(tok, prompt)
        generated, margins, finish = greedy(model, ids, eos, args.max_new_tokens)
        case = {"kind": kind, "prompt": prompt, "prompt_ids": ids, "generated_ids": generated, "finish": finish,
                "min_margin": min(margins), "margins": [float(f"{m:.4g}") for m in margins]}
        if min(margins) > args.min_margin:
            case["near_tie"] = False
            return case
        if best is None or case["min_margin"] > best["min_margin"]:
            best = case
    best["near_tie"] = True
    return best


def eos_variant(model, base, case, eos, args):
    """The same prompt with one more EOS id: the first generated token that is new at step 5 or later (else at step 1
    or later), so that generation ends there with that token last (random tiny models rarely generate their real
    EOS). None when every generated token repeats the first."""
    ids = case["generated_ids"]
    fresh = [i for i in range(1, len(ids)) if ids[i] not in ids[:i] and ids[i] not in eos]
    if not fresh:
        return None
    step = next((i for i in fresh if i >= 5), fresh[0])
    more = eos + [ids[step]]
    generated, margins, finish = greedy(model, case["prompt_ids"], more, args.max_new_tokens)
    assert finish == "eos" and len(generated) == step + 1, (generated, step)
    return {"name": f"{base}/text-eos", "model": base, "adapter": None, "eos_token_ids": more, "kind": "text",
            "prompt": case["prompt"], "prompt_ids": case["prompt_ids"], "generated_ids": generated, "finish": finish,
            "min_margin": min(margins), "margins": [float(f"{m:.4g}") for m in margins],
            "near_tie": min(margins) <= args.min_margin}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fixtures", required=True, help="the directory make_fixtures.py wrote (with peft/ inside)")
    p.add_argument("--out", required=True)
    p.add_argument("--max-new-tokens", type=int, default=20)
    p.add_argument("--min-margin", type=float, default=1e-3)
    args = p.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    cases = []
    for base in BASES:
        d = os.path.join(args.fixtures, base)
        tok = load_tokenizer(d)
        model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
        eos = eos_ids(tok, model)
        for kind, candidates in (("text", TEXT_PROMPTS), ("chat", CHAT_PROMPTS)):
            case = pick(model, tok, kind, candidates, eos, args)
            cases.append({"name": f"{base}/{kind}", "model": base, "adapter": None, "eos_token_ids": eos, **case})
            variant = eos_variant(model, base, case, eos, args) if kind == "text" else None
            if variant:
                cases.append(variant)

    peft_root = os.path.join(args.fixtures, "peft")
    if os.path.isdir(peft_root):
        from peft import PeftModel
        for adapter in sorted(os.listdir(peft_root)):
            a = os.path.join(peft_root, adapter)
            with open(os.path.join(a, "adapter_config.json")) as f:
                base = os.path.basename(json.load(f)["base_model_name_or_path"].rstrip("/"))
            d = os.path.join(args.fixtures, base)
            tok = load_tokenizer(d)
            model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
            eos = eos_ids(tok, model)
            model = PeftModel.from_pretrained(model, a).eval()
            case = pick(model, tok, "text", TEXT_PROMPTS, eos, args)
            cases.append({"name": f"peft/{adapter}", "model": base, "adapter": adapter, "eos_token_ids": eos, **case})

    for c in cases:
        print(f"{c['name']:24s} {c['kind']:4s} prompt {len(c['prompt_ids']):2d} tokens -> {len(c['generated_ids']):2d}"
              f" ({c['finish']}), min top-2 margin {c['min_margin']:.2e}{'  NEAR TIE' if c['near_tie'] else ''}",
              file=sys.stderr)
    out = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                        "peft": __import__("peft").__version__},
           "max_new_tokens": args.max_new_tokens, "min_margin": args.min_margin, "cases": cases}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(compact_json(out))


if __name__ == "__main__":
    main()
