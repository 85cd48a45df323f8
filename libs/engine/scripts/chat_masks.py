#!/usr/bin/env python3
"""Assistant-only loss masks for chat rows, computed with transformers' apply_chat_template (the oracle of
ChatMasksIT). For each conversation: ids = tokenizer(apply_chat_template(messages, tokenize=False),
add_special_tokens=False); assistant turn i (weight != 0) is learned from the tokens of
apply_chat_template(messages[:i], add_generation_prompt=True) up to those of apply_chat_template(messages[:i+1]).

usage: chat_masks.py MODEL_DIR CONVERSATIONS.json OUT.json
"""
import json
import sys

from transformers import AutoTokenizer


def render(tok, messages, gen):
    if not messages:
        try:
            return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
        except Exception:
            return ""
    return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)


def main():
    model_dir, conv_file, out_file = sys.argv[1:4]
    tok = AutoTokenizer.from_pretrained(model_dir)
    conversations = json.load(open(conv_file, encoding="utf-8"))
    out = []
    for messages in conversations:
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
            for t in range(start, end):
                labels[t] = ids[t]
        out.append({"input_ids": ids, "labels": labels})
    json.dump(out, open(out_file, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
