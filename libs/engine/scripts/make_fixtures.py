#!/usr/bin/env python3
"""Writes tiny random Hugging Face checkpoints plus transformers' own outputs, the oracle for the engine's parity tests.

For each fixture (one directory per case under --out):
  config.json, model.safetensors | model-0000N-of-0000M.safetensors + model.safetensors.index.json   (save_pretrained)
  tokenizer.json            a byte-level BPE trained here on a few sentences (no downloads)
  tokenizer_config.json     bos/eos tokens, and the chat template inline or beside it in chat_template.jinja
  reference.json            texts -> token ids (AutoTokenizer), chat messages -> rendered text (apply_chat_template),
                            the logits input ids, and the versions that produced them
  logits.safetensors        input_ids (I64 [B, T]) and logits (F32 [B, T, V]) of AutoModelForCausalLM in fp32

Also writes safetensors/python-written.safetensors (+ .json with the expected values) for the reader's interop test.

  python make_fixtures.py --out DIR [--seed N] [--only gpt2,llama,...]

Run it with the venv from python-env.sh. Output is deterministic for a given seed and package versions (only the key
order of __metadata__ in python-written.safetensors varies: Python's safetensors writes it from a hash map).
"""
import argparse
import json
import os
import re
import shutil
import sys

import numpy as np
import torch
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

import transformers
from transformers import (AutoModelForCausalLM, AutoTokenizer, GPT2Config, LlamaConfig, PreTrainedTokenizerFast,
                          Qwen2Config)

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "LoRA adapters train a low-rank update of frozen weights.",
    "Date 1965-05-10 in words: May 10, 1965.",
    "Hello, world! Hello again, world.",
    "Tokenizers split text into pieces; models predict the next piece.",
    "Caf\u00e9 cr\u00e8me costs 3.50 euros, na\u00efve r\u00e9sum\u00e9s cost nothing.",
    "user asks, assistant answers, system sets the rules.",
]

TEXTS = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Date 2024-02-29 in words: February 29, 2024.",
    "  leading spaces and\ttabs\nand new lines  ",
    "Caf\u00e9 na\u00efve \u2014 emoji \U0001F600 and \u4e2d\u6587 unseen characters",
    "",
]

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is LoRA?"},
    {"role": "assistant", "content": " A low-rank adapter. "},
    {"role": "user", "content": "Thanks!"},
]

GPT2_TEMPLATE = (
    "{% for message in messages %}\n"
    "    {{ message.role }}: {{ message['content'] }}{{ eos_token }}\n"
    "{% endfor %}\n"
    "{% if add_generation_prompt %}\n"
    "assistant:{% endif %}"
)

LLAMA_TEMPLATE = (
    "{{- bos_token }}\n"
    "{%- for message in messages %}\n"
    "    {%- if message['role'] not in ['system', 'user', 'assistant'] %}\n"
    "        {{- raise_exception('Unknown role: ' + message['role']) }}\n"
    "    {%- endif %}\n"
    "    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
    "{%- endif %}\n"
)

# ChatML in the style of Qwen2.5's template (tools omitted).
QWEN2_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}\n"
    "    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
    "{%- else %}\n"
    "    {{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}\n"
    "{%- endif %}\n"
    "{%- for message in messages %}\n"
    "    {%- if (message.role == 'user') or (message.role == 'system' and not loop.first) or (message.role == 'assistant') %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- endif %}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n"
)


def train_tokenizer(vocab_size, specials, bos_template=None):
    """A byte-level BPE like GPT-2's (every byte representable, so nothing is unknown)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 4, trainer=trainer)
    if bos_template:
        bos = bos_template
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, tok.token_to_id(bos))])
    else:
        tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


CASES = {
    # GPT-2: Conv1D [in, out] weights, fused c_attn, learned positions, LayerNorm, gelu_new, tied head.
    "gpt2": dict(
        config=lambda v: GPT2Config(vocab_size=v, n_positions=64, n_embd=32, n_layer=2, n_head=4,
                                    bos_token_id=0, eos_token_id=0),
        specials=["<|endoftext|>"], bos=None, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
        template=GPT2_TEMPLATE, template_inline=True, dtype=torch.float32, shard=None),
    # Llama: GQA (4 heads, 2 kv heads), rope_theta 1000, RMSNorm, SwiGLU, untied head, BOS added by the tokenizer.
    "llama": dict(
        config=lambda v: LlamaConfig(vocab_size=v, hidden_size=32, intermediate_size=80, num_hidden_layers=2,
                                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                     rope_theta=1000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                                     bos_token_id=1, eos_token_id=2),
        specials=["<unk>", "<s>", "</s>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        bos="<s>", bos_token="<s>", eos_token="<|eot_id|>",
        template=LLAMA_TEMPLATE, template_inline=False, dtype=torch.float32, shard=None),
    # Llama, tied embeddings, explicit head_dim (16 != 32/4), MQA (1 kv head), F16 weights in 3+ shards.
    "llama-tied": dict(
        config=lambda v: LlamaConfig(vocab_size=v, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                     num_attention_heads=4, num_key_value_heads=1, head_dim=16,
                                     max_position_embeddings=64, rope_theta=10000.0, rms_norm_eps=1e-6,
                                     tie_word_embeddings=True, bos_token_id=1, eos_token_id=2),
        specials=["<unk>", "<s>", "</s>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        bos="<s>", bos_token="<s>", eos_token="</s>",
        template=LLAMA_TEMPLATE, template_inline=True, dtype=torch.float16, shard="12KB"),
    # Qwen2: q/k/v biases, GQA, BF16 weights (widened to F32 by the reader), ChatML template.
    "qwen2": dict(
        config=lambda v: Qwen2Config(vocab_size=v, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                     rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=False,
                                     bos_token_id=None, eos_token_id=1),
        specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        bos=None, bos_token=None, eos_token="<|im_end|>",
        template=QWEN2_TEMPLATE, template_inline=True, dtype=torch.bfloat16, shard=None),
}


def compact_json(obj):
    """Indented JSON with lists of numbers on one line (readable diffs, small files)."""
    text = json.dumps(obj, indent=1, ensure_ascii=False)
    return re.sub(r"\[\s*([-0-9.eE+,\s]|Infinity|NaN)*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",") if x.strip()) + "]",
                  text) + "\n"


def randomize(model, seed):
    """Default init leaves biases and norm weights at 0/1, which would hide bugs in how they are applied."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name or ".ln_" in name:
                p.copy_(p + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))


def make_case(name, case, out, seed, vocab_size):
    d = os.path.join(out, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)

    tok = train_tokenizer(vocab_size, case["specials"], case["bos"])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=case["bos_token"], eos_token=case["eos_token"])
    fast.save_pretrained(d)
    # Hub checkpoints mostly carry the template inside tokenizer_config.json; transformers 5 writes chat_template.jinja.
    cfg_path = os.path.join(d, "tokenizer_config.json")
    with open(cfg_path) as f:
        tok_cfg = json.load(f)
    tok_cfg.pop("chat_template", None)
    if case["template_inline"]:
        tok_cfg["chat_template"] = case["template"]
    else:
        with open(os.path.join(d, "chat_template.jinja"), "w") as f:
            f.write(case["template"])
    with open(cfg_path, "w") as f:
        json.dump(tok_cfg, f, indent=2, ensure_ascii=False)

    torch.manual_seed(seed)
    config = case["config"](tok.get_vocab_size())
    model = AutoModelForCausalLM.from_config(config)
    randomize(model, seed)
    model = model.to(case["dtype"])
    kwargs = {"max_shard_size": case["shard"]} if case["shard"] else {}
    model.save_pretrained(d, **kwargs)
    for extra in ("generation_config.json",):
        p = os.path.join(d, extra)
        if os.path.exists(p):
            os.remove(p)

    # The oracle: reload exactly as a user would, in fp32.
    hf_tok = AutoTokenizer.from_pretrained(d)
    ref_model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
    g = torch.Generator().manual_seed(seed + 1)
    input_ids = torch.randint(0, config.vocab_size, (2, 12), generator=g)
    input_ids[0, :len(hf_tok("Hello, world!")["input_ids"])] = torch.tensor(hf_tok("Hello, world!")["input_ids"])
    with torch.no_grad():
        logits = ref_model(input_ids=input_ids).logits.float().contiguous()
    save_torch({"input_ids": input_ids.to(torch.int64).contiguous(), "logits": logits},
               os.path.join(d, "logits.safetensors"), metadata={"producer": "make_fixtures.py"})

    rendered = hf_tok.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    rendered_no_prompt = hf_tok.apply_chat_template(MESSAGES[:2], tokenize=False, add_generation_prompt=False)
    reference = {
        "model_type": config.model_type,
        "seed": seed,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "tokenizers": __import__("tokenizers").__version__},
        "texts": TEXTS,
        "token_ids": [hf_tok(t)["input_ids"] for t in TEXTS],
        "decoded": [hf_tok.decode(hf_tok(t)["input_ids"], skip_special_tokens=True) for t in TEXTS],
        "chat": [
            {"messages": MESSAGES, "add_generation_prompt": True, "rendered": rendered,
             "token_ids": hf_tok(rendered, add_special_tokens=False)["input_ids"]},
            {"messages": MESSAGES[:2], "add_generation_prompt": False, "rendered": rendered_no_prompt,
             "token_ids": hf_tok(rendered_no_prompt, add_special_tokens=False)["input_ids"]},
        ],
        "modules": sorted(n for n, m in ref_model.named_modules()
                          if type(m).__name__ in ("Linear", "Conv1D")),
        "parameters": sum(p.numel() for p in ref_model.parameters()),
    }
    with open(os.path.join(d, "reference.json"), "w") as f:
        f.write(compact_json(reference))
    size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d))
    print(f"{name}: {reference['parameters']} parameters, vocab {config.vocab_size}, "
          f"{len(os.listdir(d))} files, {size // 1024} KiB -> {d}", file=sys.stderr)


def make_safetensors_interop(out, seed):
    """A file written by Python's safetensors, with the values the Java reader must produce (widened to F32)."""
    d = os.path.join(out, "safetensors")
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    f32 = torch.randn(3, 5, generator=g)
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035156e-05, 5.9604645e-08, float("inf"), float("-inf"),
                            1e-40, 3.0e38, 1.0 / 3.0])
    tensors = {
        "f32": f32,
        "f16": torch.cat([special, f32.flatten()]).to(torch.float16),
        "bf16": torch.cat([special, f32.flatten()]).to(torch.bfloat16).reshape(3, 9),
        "i64": torch.arange(-3, 3, dtype=torch.int64).reshape(2, 3),
        "scalar": torch.tensor(7.25),
        "empty": torch.zeros(0, 4),
    }
    path = os.path.join(d, "python-written.safetensors")
    save_torch(tensors, path, metadata={"format": "pt", "writer": "python safetensors"})
    expected = {k: {"dtype": str(v.dtype), "shape": list(v.shape),
                    "values": v.to(torch.float64).flatten().tolist()} for k, v in tensors.items()}
    with open(os.path.join(d, "python-written.json"), "w") as f:
        f.write(compact_json({"metadata": {"format": "pt", "writer": "python safetensors"}, "tensors": expected}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--vocab-size", type=int, default=320)
    p.add_argument("--only", default=",".join(CASES))
    args = p.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for name in args.only.split(","):
        if name == "safetensors":
            make_safetensors_interop(args.out, args.seed)
        else:
            make_case(name, CASES[name], args.out, args.seed, args.vocab_size)
    if "safetensors" not in args.only.split(","):
        make_safetensors_interop(args.out, args.seed)


if __name__ == "__main__":
    main()
