#!/usr/bin/env python3
"""Greedy generation speed of transformers, the Python side of the engine's generation benchmark (README, milestone 4).

Writes (once) a randomly initialised Llama-shaped checkpoint of the chosen size with the llama fixture's tokenizer
files, then times model.generate(do_sample=False, use_cache=True) of --new-tokens tokens after a --prompt-tokens
prompt (ids 3, 4, 5, ...), fp32 on CPU with --threads threads: the median of --repeats runs after one warm-up. Prints
tokens/s and the generated ids (the Java side, GenerationBenchmark, prints its own for comparison).

  python bench_generation.py --out /tmp/bench-llama --fixtures ../src/test/resources/fixtures [--size small|demo]
"""
import argparse
import os
import shutil
import statistics
import sys
import time

import torch
from transformers import AutoModelForCausalLM, LlamaConfig

SIZES = {
    # About the size of the "realistic" Llama of the milestone-1 table: 12 x 768, GQA 12/4, vocab 32000 (~150M).
    "small": dict(hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
                  num_key_value_heads=4, vocab_size=32000, tie_word_embeddings=False),
    # The demo's starter model (RECIPES.md): 3 x 128, 4 heads, feed-forward 384, vocab 1024, tied (0.77M).
    "demo": dict(hidden_size=128, intermediate_size=384, num_hidden_layers=3, num_attention_heads=4,
                 num_key_value_heads=4, vocab_size=1024, tie_word_embeddings=True),
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--size", choices=SIZES, default="small")
    p.add_argument("--prompt-tokens", type=int, default=32)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if not os.path.exists(os.path.join(args.out, "config.json")):
        torch.manual_seed(0)
        config = LlamaConfig(max_position_embeddings=2048, rope_theta=10000.0, bos_token_id=1, eos_token_id=2,
                             **SIZES[args.size])
        model = AutoModelForCausalLM.from_config(config)
        model.save_pretrained(args.out)
        for f in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
            shutil.copy(os.path.join(args.fixtures, "llama", f), args.out)
        gen = os.path.join(args.out, "generation_config.json")
        if os.path.exists(gen):
            os.remove(gen)
    model = AutoModelForCausalLM.from_pretrained(args.out, dtype=torch.float32).eval()
    ids = torch.tensor([[3 + i % 300 for i in range(args.prompt_tokens)]])
    times = []
    out = None
    for r in range(args.repeats + 1):
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, use_cache=True,
                                 max_new_tokens=args.new_tokens, min_new_tokens=args.new_tokens, eos_token_id=None,
                                 pad_token_id=0)
        if r > 0:
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    params = sum(p.numel() for p in model.parameters())
    print(f"transformers {args.size} ({params / 1e6:.1f}M params): {args.new_tokens} tokens after "
          f"{args.prompt_tokens} in {median:.3f} s = {args.new_tokens / median:.1f} tokens/s "
          f"(median of {args.repeats}, {args.threads} threads)")
    print("ids", out[0, args.prompt_tokens:].tolist(), file=sys.stderr)


if __name__ == "__main__":
    main()
