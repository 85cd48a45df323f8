#!/usr/bin/env python3
"""Proves the demo's promise with Hugging Face's own LoRA (PEFT): the oracle the Java engine must match.

On the starter written by make_starter.py it trains a LoRA adapter on the date task, once per KL weight, and measures
what the demo's gate checks:

  exact match    greedy continuation of each of the 200 held-out prompts, cut at the first <|endoftext|>, equal to
                 the completion (a continuation with no <|endoftext|> within 16 tokens is a miss)
  ppl rise       general-text perplexity with the adapter on / with it off - 1, on the reference rows
                 (data/general-reference.jsonl, the rows the KL term trains on) and on 500 further rows of the same
                 grammar that the KL term never saw ("fresh")

Training (RECIPES.md): LoRA r=8, alpha 16, dropout 0.05 on q/k/v/o/gate/up/down of every layer; completion-only loss
(prompt tokens -100; each row is encode(prompt) + encode(completion) + <|endoftext|>, as the engine's data pipeline
builds it); AdamW lr 3e-3 (betas 0.9/0.999, eps 1e-8, no weight decay: HF Trainer's defaults), cosine to 0 with no
warm-up, gradients clipped at 1.0, batch 32 (rows reshuffled every epoch), --steps steps. With a KL weight w > 0 every
step adds w * KL(base || adapter): 8 reference rows (each <= 64 tokens with its EOS, right-padded to 64), the base's
next-token distributions computed by the same model with the adapter disabled, KL summed over the vocabulary and
averaged over the real (unpadded) positions.

  PY=$(libs/engine/scripts/python-env.sh)
  nice -n 10 $PY demo/scripts/check_lora_oracle.py --starter demo/starter                  # 600 steps, KL 0 and 1
  nice -n 10 $PY demo/scripts/check_lora_oracle.py --starter demo/starter --steps 200 --kl 1 --eval-every 50
"""
import argparse
import json
import math
import os
import random
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")   # see make_starter.py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_starter  # noqa: E402  (the grammar, for the fresh general-text rows)

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def read_jsonl(path):
    """The rows of a JSONL file."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def encode_task(tok, rows, eot_id):
    """(ids, labels) per prompt/completion row, as the engine's data pipeline encodes it."""
    out = []
    for row in rows:
        prompt = tok.encode(row["prompt"], add_special_tokens=False).ids
        completion = tok.encode(row["completion"], add_special_tokens=False).ids + [eot_id]
        out.append((prompt + completion, [-100] * len(prompt) + completion))
    return out


def encode_text(tok, rows, eot_id):
    """ids per text row: encode(text) + <|endoftext|>."""
    return [tok.encode(r["text"], add_special_tokens=False).ids + [eot_id] for r in rows]


def pad(seqs, value, width=None):
    """Right-pads lists to one width; returns (tensor, mask)."""
    import torch
    width = width or max(map(len, seqs))
    x = torch.tensor([s + [value] * (width - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in seqs])
    return x, mask


def text_perplexity(model, texts, eot_id, batch=50):
    """Token-weighted perplexity of the text rows (each scored on its own, padding ignored)."""
    import torch
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(texts), batch):
            x, mask = pad(texts[i:i + batch], eot_id)
            logits = model(input_ids=x, attention_mask=mask).logits[:, :-1]
            target = x[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
            total += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1),
                                                       ignore_index=-100, reduction="sum").item()
            count += int((target != -100).sum())
    return math.exp(total / count)


def evaluate(model, tok, heldout, reference, fresh, eot_id):
    """Exact match with the adapter; perplexities with the adapter on and off."""
    model.eval()
    em, examples = make_starter.exact_match(model, tok, heldout, eot_id)
    on_ref, on_fresh = text_perplexity(model, reference, eot_id), text_perplexity(model, fresh, eot_id)
    with model.disable_adapter():
        off_ref, off_fresh = text_perplexity(model, reference, eot_id), text_perplexity(model, fresh, eot_id)
    return {"exact_match": em, "ppl_ref_off": off_ref, "ppl_ref_on": on_ref, "rise_ref": on_ref / off_ref - 1,
            "ppl_fresh_off": off_fresh, "ppl_fresh_on": on_fresh, "rise_fresh": on_fresh / off_fresh - 1,
            "examples": examples[:2]}


def kl_term(model, texts, eot_id, gen, batch, width):
    """KL(base || adapter) on `batch` random reference rows, averaged over their real positions."""
    import torch
    pick = torch.randint(len(texts), (batch,), generator=gen).tolist()
    x, mask = pad([texts[i][:width] for i in pick], eot_id, width)
    with torch.no_grad(), model.disable_adapter():
        base_logp = torch.log_softmax(model(input_ids=x, attention_mask=mask).logits, -1)
    logp = torch.log_softmax(model(input_ids=x, attention_mask=mask).logits, -1)
    kl = (base_logp.exp() * (base_logp - logp)).sum(-1)
    return (kl * mask).sum() / mask.sum()


def run(args, kl_weight, tok, data, eot_id, log):
    """One training run; returns its figures (and the evaluations along the way)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM, get_cosine_schedule_with_warmup
    torch.manual_seed(args.seed)
    base = LlamaForCausalLM.from_pretrained(os.path.join(args.starter, "model"), dtype=torch.float32)
    model = get_peft_model(base, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.05, target_modules=TARGETS,
                                            task_type="CAUSAL_LM"))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, 0, args.steps)
    gen = torch.Generator().manual_seed(args.seed)
    kl_gen = torch.Generator().manual_seed(args.seed + 1)
    train = data["train"]
    order, cursor = torch.randperm(len(train), generator=gen).tolist(), 0
    curve, train_seconds, train_cpu = [], 0.0, 0.0
    for step in range(1, args.steps + 1):
        t, c = time.time(), time.process_time()
        model.train()
        if cursor + args.batch > len(train):
            order, cursor = torch.randperm(len(train), generator=gen).tolist(), 0
        rows = [train[i] for i in order[cursor:cursor + args.batch]]
        cursor += args.batch
        x, mask = pad([ids for ids, _ in rows], eot_id)
        labels, _ = pad([lab for _, lab in rows], -100)
        task = model(input_ids=x, attention_mask=mask, labels=labels).loss
        loss = task
        kl = None
        if kl_weight > 0:
            kl = kl_term(model, data["reference"], eot_id, kl_gen, args.kl_batch, args.kl_width)
            loss = task + kl_weight * kl
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        train_seconds += time.time() - t
        train_cpu += time.process_time() - c
        if (args.eval_every and step % args.eval_every == 0) or step == args.steps:
            figures = evaluate(model, tok, data["heldout"], data["reference"], data["fresh"], eot_id)
            figures.update(step=step, task_loss=task.item(), kl=None if kl is None else kl.item(),
                           train_seconds=train_seconds, train_cpu_seconds=train_cpu)
            curve.append(figures)
            log(f"kl {kl_weight:g} step {step:4d}: task loss {task.item():.4f}"
                + ("" if kl is None else f", kl {kl.item():.4f}")
                + f"; EM {figures['exact_match']:.1%}; ppl rise ref {figures['rise_ref']:+.2%} "
                  f"fresh {figures['rise_fresh']:+.2%}; training {train_seconds:.0f} s wall, {train_cpu:.0f} s CPU")
    return {"kl_weight": kl_weight, "steps": args.steps, "train_seconds": train_seconds,
            "train_cpu_seconds": train_cpu, "final": curve[-1],
            "curve": curve}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starter", default="demo/starter", help="make_starter.py's output folder")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--kl", default="0,1", help="KL weights to run, comma-separated (0 = plain LoRA)")
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--kl-batch", type=int, default=8)
    parser.add_argument("--kl-width", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-every", type=int, default=0, help="also evaluate every N steps (0: only at the end)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", metavar="FILE", help="write every figure there")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 steps")
    args = parser.parse_args()
    if args.quick:
        args.steps = 20

    import torch
    from tokenizers import Tokenizer
    torch.set_num_threads(args.threads)
    log = lambda msg: print(f"[oracle] {msg}", file=sys.stderr, flush=True)
    tok = Tokenizer.from_file(os.path.join(args.starter, "model", "tokenizer.json"))
    eot_id = tok.token_to_id(make_starter.EOT)
    data_dir = os.path.join(args.starter, "data")
    fresh_rows = make_starter.reference_rows(random.Random("oracle/fresh"), tok, 500, args.kl_width)
    data = {"train": encode_task(tok, read_jsonl(os.path.join(data_dir, "dates-train.jsonl")), eot_id),
            "heldout": read_jsonl(os.path.join(data_dir, "dates-heldout.jsonl")),
            "reference": encode_text(tok, read_jsonl(os.path.join(data_dir, "general-reference.jsonl")), eot_id),
            "fresh": encode_text(tok, fresh_rows, eot_id)}

    results = []
    for weight in [float(w) for w in args.kl.split(",")]:
        start, cpu = time.time(), time.process_time()
        result = run(args, weight, tok, data, eot_id, log)
        result["total_seconds"] = time.time() - start
        result["total_cpu_seconds"] = time.process_time() - cpu
        results.append(result)

    print(f"\nLoRA on the date task: {args.steps} steps, batch {args.batch}, lr {args.lr:g}, seed {args.seed}, "
          f"{args.threads} threads\n")
    print("| KL weight | exact match | ppl off -> on (reference) | rise | ppl off -> on (fresh) | rise | "
          "train s (CPU s) | total s (CPU s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        f = r["final"]
        print(f"| {r['kl_weight']:g} | {f['exact_match']:.1%} | {f['ppl_ref_off']:.3f} -> {f['ppl_ref_on']:.3f} | "
              f"{f['rise_ref']:+.2%} | {f['ppl_fresh_off']:.3f} -> {f['ppl_fresh_on']:.3f} | {f['rise_fresh']:+.2%} | "
              f"{r['train_seconds']:.0f} ({r['train_cpu_seconds']:.0f}) | "
              f"{r['total_seconds']:.0f} ({r['total_cpu_seconds']:.0f}) |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"args": vars(args), "results": results}, out, indent=1)
    passed = [r for r in results if r["final"]["exact_match"] >= 0.9 and r["final"]["rise_ref"] <= 0.05
              and r["final"]["rise_fresh"] <= 0.05]
    print("\nmeets the demo's gate (EM >= 90%, ppl rise <= 5%): "
          + (", ".join(f"KL {r['kl_weight']:g}" for r in passed) or "none"))


if __name__ == "__main__":
    main()
