#!/usr/bin/env python3
"""Makes the demo's starter assets: a tiny base model pretrained here, a date task and a general-text reference set.

Everything is produced by this script from nothing but its seed; no third-party text, weights or data go in, so every
output is the project's own work and ships under the repository's licence.

  PY=$(libs/engine/scripts/python-env.sh)
  nice -n 10 $PY demo/scripts/make_starter.py --out demo/starter          # ~5-10 min on 2 CPU cores
  $PY demo/scripts/make_starter.py --out /tmp/starter-smoke --quick       # smoke run, ~1 min, useless model

What it does (the recipe of shared/docs/RECIPES.md, "A demo that shows real adaptation on 2 CPU cores"):

1. Corpus. A probabilistic English-like grammar (below) writes paragraphs of 3-8 sentences: ~8 MB to train on and
   ~200 KB held out (another random stream). About 40% of the sentences repeat a string from their own context (a
   code, a number, a time, an ISO date, a date in words, an invented name), either within the sentence or from an
   earlier sentence of the paragraph: without that, a model this small never learns to copy, and copying is what the
   date task needs. The corpus mentions dates in both forms (1965-05-10 and May 10, 1965) but never pairs them, so
   the base model cannot do the task. The corpus itself is not written out (pass --save-corpus DIR to keep it).
2. Tokenizer. Byte-level BPE (Hugging Face `tokenizers`), 1,024 tokens, trained on the training corpus; every digit
   is its own token (Digits(individual_digits=True) before the ByteLevel pre-tokenizer); one special token,
   `<|endoftext|>`, serving as end of text, beginning of text and padding. No BOS is added by the post-processor.
3. Base model. Llama-shaped: 3 layers, hidden 128, 4 heads, intermediate 384, 128 positions, tied embeddings
   (~0.77M parameters), pretrained with transformers on 128-token blocks of the corpus (paragraphs joined by
   `<|endoftext|>`): AdamW (betas 0.9/0.95, weight decay 0.1, gradients clipped at 1.0), lr 3e-3, 30 warmup steps,
   cosine to 10%, batch 16x128, 1,000 steps. Every 100 steps it measures held-out perplexity and a copy probe
   (teacher-forced accuracy on the 2nd..nth tokens of a repeated string); copying appears abruptly around 700-900.
   Saved float32 in safetensors with `save_pretrained`.
4. Task. `{"prompt": "Date 1965-05-10 in words:", "completion": " May 10, 1965"}`: 4,000 training rows and 200
   held-out rows, on distinct dates (1900-2099). No end-of-text in the completion: the engine's data pipeline
   appends EOS to every completion.
5. General-text reference set. 500 rows `{"text": ...}` of held-out corpus, each a run of whole sentences that fits
   in 64 tokens with its EOS: for the KL term during training and the forgetting check during evaluation.

Finally it measures the base model's exact match on the held-out dates (greedy, cut at the first end-of-text) and
writes MANIFEST.md and report.json next to the outputs.
"""
import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sys
import time

# OpenMP threads that spin while waiting cost 3-4x on a machine shared with busy neighbours (RECIPES.md); must be set
# before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

EOT = "<|endoftext|>"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
FIRST_YEAR, LAST_YEAR = 1900, 2099

# ----------------------------------------------------------------------------------------------------------------
# The grammar's lexicon: plain English words, chosen for this project.
# ----------------------------------------------------------------------------------------------------------------
NAMES = ["Anna", "Boris", "Clara", "David", "Elena", "Felix", "Grace", "Hugo", "Irene", "Jonas", "Karen", "Leo",
         "Maria", "Nora", "Oscar", "Paula", "Quinn", "Rosa", "Simon", "Tessa", "Victor", "Wendy", "Yara", "Zoe",
         "Adam", "Bella", "Carl", "Dora", "Emil", "Fiona", "Gavin", "Helen", "Ivan", "Julia", "Kevin", "Lena",
         "Martin", "Nina", "Peter", "Ruth"]
PLACES = ["the harbour", "the old mill", "the market", "the station", "the library", "the north field",
          "the village", "the city", "the school", "the hospital", "the bakery", "the farm", "the river bank",
          "the museum", "the post office", "the garden", "the hill", "the bridge", "the square", "the forest"]
TOWNS = ["Ashford", "Brookvale", "Carrow", "Dunmere", "Eastwick", "Fernley", "Glenhaven", "Hollowby", "Ironbridge",
         "Kettering", "Lowmoor", "Millbrook", "Northam", "Oakridge", "Pennington", "Redcliff", "Stanmore",
         "Thornbury", "Westfield", "Yarrow"]
NOUNS = ["box", "letter", "key", "door", "window", "table", "chair", "book", "lamp", "cup", "bottle", "coat", "bag",
         "map", "clock", "ring", "basket", "boat", "cart", "horse", "dog", "cat", "bird", "apple", "bread", "candle",
         "picture", "song", "story", "garden", "road", "river", "stone", "tree", "flower", "ticket", "parcel",
         "bicycle", "engine", "radio", "blanket", "mirror", "bell", "coin", "shoe", "hat", "rope", "ladder",
         "bucket", "kettle", "drawer", "notebook", "envelope", "lantern", "wagon", "fence", "roof", "wall", "gate",
         "path", "field", "shop", "room", "kitchen", "machine", "report", "plan", "message", "photograph", "desk"]
ADJECTIVES = ["old", "new", "small", "large", "red", "blue", "green", "yellow", "heavy", "light", "quiet", "loud",
              "warm", "cold", "bright", "dark", "clean", "dusty", "broken", "empty", "full", "strange", "simple",
              "careful", "happy", "tired", "busy", "gentle", "narrow", "wide", "wooden", "golden", "soft", "rough",
              "tall", "short", "young", "famous", "hidden", "useful"]
VERBS_T = ["found", "carried", "opened", "closed", "painted", "repaired", "lost", "sold", "bought", "cleaned",
           "moved", "watched", "borrowed", "returned", "checked", "counted", "packed", "washed", "built", "brought",
           "kept", "dropped", "lifted", "pulled", "pushed", "hid", "showed", "sent", "took", "liked"]
VERBS_I = ["slept", "waited", "arrived", "left", "laughed", "smiled", "worked", "rested", "walked", "ran", "sang",
           "listened", "stayed", "returned", "talked", "danced", "cried", "shouted", "paused", "disappeared"]
ADVERBS = ["slowly", "quickly", "quietly", "happily", "carefully", "again", "early", "late", "suddenly", "together",
           "alone", "outside", "at once", "for a while", "all day", "once more"]
PREPS = ["near", "under", "behind", "beside", "across", "inside", "above", "around", "past", "beyond"]
TIMES = ["in the morning", "in the evening", "at night", "at noon", "on Monday", "on Tuesday", "on Wednesday",
         "on Thursday", "on Friday", "on Saturday", "on Sunday", "last week", "the next day", "after dinner",
         "before dawn", "in the spring", "in the summer", "in the autumn", "in the winter", "that year"]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty"]
SAID = ["said", "thought", "knew", "wrote", "believed", "remembered", "explained", "noticed"]
CONNECT = ["Then", "Later", "After that", "Meanwhile", "Soon", "At last", "Still", "So", "But", "Even so"]
SYLLABLES = ["ka", "lo", "mi", "ran", "te", "vo", "sel", "dor", "na", "bri", "tu", "fen", "ol", "mar", "is", "quo",
             "zel", "pa", "ri", "go", "an", "wen", "ty", "hul"]
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

# The things a copy sentence can repeat, and how they are introduced and repeated.
LABELS = {
    "code": ["the code", "the label", "the serial", "the mark", "the tag"],
    "number": ["the number", "the count", "the total", "the figure", "the sum"],
    "time": ["the time", "the hour"],
    "iso": ["the date", "the day"],
    "words": ["the date", "the day"],
    "word": ["the name", "the word", "the password"],
}


def a(rng, items):
    """One item of a list, uniformly."""
    return items[rng.randrange(len(items))]


def random_date(rng):
    """A uniformly random calendar date between FIRST_YEAR-01-01 and LAST_YEAR-12-31."""
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(first, last))


def iso_date(d):
    """1965-05-10."""
    return d.isoformat()


def words_date(d):
    """May 10, 1965 (no leading zero on the day)."""
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def copy_item(rng):
    """A string worth repeating: (kind, text)."""
    kind = a(rng, ["code", "code", "number", "number", "time", "iso", "iso", "words", "words", "word"])
    if kind == "code":
        text = "".join(a(rng, LETTERS) for _ in range(rng.randint(1, 3))) + "-" + \
               "".join(str(rng.randrange(10)) for _ in range(rng.randint(2, 5)))
    elif kind == "number":
        text = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(rng.randint(1, 5)))
    elif kind == "time":
        text = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
    elif kind == "iso":
        text = iso_date(random_date(rng))
    elif kind == "words":
        text = words_date(random_date(rng))
    else:
        text = "".join(a(rng, SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return kind, text


def noun_phrase(rng):
    """the (adjective) noun."""
    det = a(rng, ["the", "the", "a", "her", "his", "their", "that"])
    adj = a(rng, ADJECTIVES) + " " if rng.random() < 0.5 else ""
    words = adj + a(rng, NOUNS)
    if det == "a" and words[0] in "aeiou":
        det = "an"
    return f"{det} {words}"


def subject(rng):
    """A name, or sometimes a noun phrase."""
    return a(rng, NAMES) if rng.random() < 0.7 else noun_phrase(rng)


def cap(s):
    """Capitalises the first letter."""
    return s[0].upper() + s[1:]


def plain_clause(rng):
    """A clause with no string to copy."""
    r = rng.random()
    if r < 0.35:
        s = f"{a(rng, NAMES)} {a(rng, VERBS_T)} {noun_phrase(rng)}"
    elif r < 0.55:
        s = f"{subject(rng)} {a(rng, VERBS_I)}"
    elif r < 0.7:
        s = f"{noun_phrase(rng)} was {a(rng, ADJECTIVES)}"
    elif r < 0.85:
        s = f"{a(rng, NAMES)} {a(rng, VERBS_T)} {noun_phrase(rng)} {a(rng, PREPS)} {a(rng, PLACES)}"
    else:
        s = f"there were {a(rng, NUMBER_WORDS)} {a(rng, NOUNS)}s in {a(rng, PLACES)}"
    if rng.random() < 0.3:
        s += " " + a(rng, ADVERBS)
    if rng.random() < 0.25:
        s += " " + a(rng, TIMES)
    return s


def plain_sentence(rng):
    """A sentence with no string to copy: statements, reported speech, questions, two clauses."""
    r = rng.random()
    if r < 0.45:
        s = cap(plain_clause(rng)) + "."
    elif r < 0.55:
        s = f"{a(rng, NAMES)} {a(rng, SAID)} that {plain_clause(rng)}."
    elif r < 0.65:
        s = f"When {plain_clause(rng)}, {plain_clause(rng)}."
    elif r < 0.75:
        s = f"{a(rng, CONNECT)}, {plain_clause(rng)}."
    elif r < 0.83:
        s = f"Did {a(rng, NAMES)} see {noun_phrase(rng)} in {a(rng, TOWNS)}?"
    elif r < 0.92:
        s = f"In {a(rng, TOWNS)}, {plain_clause(rng)}."
    else:
        s = cap(plain_clause(rng)) + f", and {plain_clause(rng)}."
    return s


def intro_sentence(rng, kind, x):
    """A sentence that mentions x once (the context a later sentence may copy from)."""
    label = a(rng, LABELS[kind])
    name, noun = a(rng, NAMES), a(rng, NOUNS)
    if kind in ("iso", "words"):
        return a(rng, [f"{name} arrived in {a(rng, TOWNS)} on {x}.",
                       f"On {x}, {plain_clause(rng)}.",
                       f"The {noun} was sold on {x}.",
                       f"The letter from {name} was dated {x}."])
    if kind == "time":
        return a(rng, [f"The train to {a(rng, TOWNS)} left at {x}.",
                       f"{name} woke up at {x}.",
                       f"At {x}, {plain_clause(rng)}."])
    return a(rng, [f"{cap(label)} on the {noun} was {x}.",
                   f"{name} wrote {label} {x} on {noun_phrase(rng)}.",
                   f"{cap(label)} was {x}, {name} {a(rng, SAID)}.",
                   f"The {noun} in {a(rng, PLACES)} had {label} {x}."])


def repeat_sentence(rng, kind, x):
    """A sentence that repeats x, already mentioned earlier in the paragraph."""
    name = a(rng, NAMES)
    label = a(rng, LABELS[kind])
    return a(rng, [f"{name} checked {label} again: {x}.",
                   f"Later, {name} wrote down {x}.",
                   f"Yes, {label} was {x}.",
                   f"{name} {a(rng, SAID)} that {label} was {x}.",
                   f"Everyone remembered {x}.",
                   f"{a(rng, CONNECT)}, {name} asked about {x} once more."])


def copy_sentence(rng, kind, x):
    """A sentence that mentions x and repeats it."""
    name, other = a(rng, NAMES), a(rng, NAMES)
    label = a(rng, LABELS[kind])
    noun = a(rng, NOUNS)
    return a(rng, [f"{cap(label)} on the {noun} was {x}, so {name} wrote {x} in the notebook.",
                   f"{name} read {label} {x} aloud, and {other} repeated {x}.",
                   f"{name} said {x}, and {other} said {x} too.",
                   f"It was {x}; {label} was {x} and nothing else.",
                   f"The {noun} showed {x}, and the other {noun} showed {x} as well.",
                   f"{name} asked for {x} and got {x}."])


def paragraph(rng, copy_rate=0.4):
    """3-8 sentences; about `copy_rate` of them repeat a string from their own context.

    Returns (text, copies): copies is a list of the strings that sentences repeated, in order."""
    sentences, copies, memory = [], [], []
    for _ in range(rng.randint(3, 8)):
        if rng.random() < copy_rate:
            if memory and rng.random() < 0.5:
                kind, x = a(rng, memory)
                sentences.append(repeat_sentence(rng, kind, x))
            else:
                kind, x = copy_item(rng)
                sentences.append(copy_sentence(rng, kind, x))
            copies.append(x)
        elif rng.random() < 0.3:
            kind, x = copy_item(rng)
            memory.append((kind, x))
            sentences.append(intro_sentence(rng, kind, x))
        else:
            sentences.append(plain_sentence(rng))
    return " ".join(sentences), copies


def corpus(rng, n_bytes, copy_rate=0.4):
    """Paragraphs until their text adds up to n_bytes: a list of (text, copies)."""
    out, size = [], 0
    while size < n_bytes:
        p = paragraph(rng, copy_rate)
        out.append(p)
        size += len(p[0].encode()) + 1
    return out


# ----------------------------------------------------------------------------------------------------------------
# Tokenizer
# ----------------------------------------------------------------------------------------------------------------
def train_tokenizer(texts, vocab_size):
    """Byte-level BPE with every digit its own token and one special token, <|endoftext|>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOT], min_frequency=2,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def save_tokenizer(tok, model_dir, max_length):
    """tokenizer.json and a tokenizer_config.json naming <|endoftext|> as eos/bos/pad token.

    The config is written by hand, with the class name every transformers version knows (5.x's save_pretrained
    would write its new "TokenizersBackend", which 4.x cannot load). Nothing adds a BOS when encoding."""
    tok.save(os.path.join(model_dir, "tokenizer.json"))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": EOT, "eos_token": EOT, "pad_token": EOT,
              "clean_up_tokenization_spaces": False,
              "model_max_length": max_length}
    with open(os.path.join(model_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def token_stream(tok, texts, eot_id):
    """All texts tokenized, each followed by <|endoftext|>, as one list of ids."""
    ids = []
    for enc in tok.encode_batch(texts, add_special_tokens=False):
        ids.extend(enc.ids)
        ids.append(eot_id)
    return ids


# ----------------------------------------------------------------------------------------------------------------
# Base model
# ----------------------------------------------------------------------------------------------------------------
def make_model(vocab_size, eot_id, args):
    """The Llama-shaped base, freshly initialised (transformers' init, std 0.02)."""
    from transformers import LlamaConfig, LlamaForCausalLM
    config = LlamaConfig(vocab_size=vocab_size, hidden_size=128, num_hidden_layers=3, num_attention_heads=4,
                         num_key_value_heads=4, intermediate_size=384, max_position_embeddings=args.context,
                         tie_word_embeddings=True, bos_token_id=eot_id, eos_token_id=eot_id, pad_token_id=eot_id,
                         rms_norm_eps=1e-5, hidden_act="silu", attention_bias=False, mlp_bias=False)
    config.dtype = "float32"
    model = LlamaForCausalLM(config)
    model.generation_config.bos_token_id = eot_id
    model.generation_config.eos_token_id = eot_id
    model.generation_config.pad_token_id = eot_id
    return model


def lr_at(step, args):
    """Linear warm-up to args.lr over args.warmup steps, then cosine down to args.min_lr_ratio * lr at the end."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (args.min_lr_ratio + (1 - args.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def perplexity(model, blocks, batch=32):
    """exp(mean next-token loss) over 2-D blocks of ids (every token counts)."""
    import torch
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(blocks), batch):
            x = blocks[i:i + batch]
            logits = model(input_ids=x).logits[:, :-1]
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), x[:, 1:].reshape(-1),
                                                     reduction="sum")
            total += loss.item()
            count += x[:, 1:].numel()
    return math.exp(total / count)


def copy_probes(tok, rng, n):
    """Held-out items (prefix ids, repeated-string ids): the prefix ends just before the string's last mention."""
    probes = []
    while len(probes) < n:
        text, copies = paragraph(rng)
        if not copies:
            continue
        x = copies[0]
        first_copy = text.find(x) + len(x)
        pos = text.find(" " + x, first_copy)   # the second mention, with its leading space
        if pos < 0:
            continue
        prefix = tok.encode(text[:pos], add_special_tokens=False).ids
        full = tok.encode(text[:pos + 1 + len(x)], add_special_tokens=False).ids
        if full[:len(prefix)] != prefix or len(full) > 128 or len(full) - len(prefix) < 3:
            continue
        probes.append((full, len(prefix)))
    return probes


def copy_accuracy(model, probes, batch=50):
    """Teacher-forced accuracy on the repeated string's tokens after its first two (space + first character):
    high only when the model copies from context rather than guessing."""
    import torch
    right, total = 0, 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(probes), batch):
            group = probes[i:i + batch]
            width = max(len(full) for full, _ in group)
            x = torch.tensor([full + [0] * (width - len(full)) for full, _ in group])  # right padding: harmless
            pred = model(input_ids=x).logits.argmax(-1)
            for row, (full, start) in enumerate(group):
                for t in range(start + 2, len(full)):
                    right += int(pred[row, t - 1].item() == full[t])
                    total += 1
    return right / max(1, total)


def pretrain(model, train_ids, heldout_blocks, probes, args, log):
    """The pretraining loop; returns the curve (step, train loss, held-out ppl, copy accuracy, wall and CPU seconds
    including the evaluations), the wall seconds and the CPU seconds of the process."""
    import torch
    n_blocks = len(train_ids) // args.context
    blocks = torch.tensor(train_ids[:n_blocks * args.context]).view(n_blocks, args.context)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(args.seed)
    order, cursor = torch.randperm(n_blocks, generator=gen), 0
    curve, losses, start, cpu = [], [], time.time(), time.process_time()
    for step in range(args.steps):
        model.train()
        if cursor + args.batch > n_blocks:
            order, cursor = torch.randperm(n_blocks, generator=gen), 0
        x = blocks[order[cursor:cursor + args.batch]]
        cursor += args.batch
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, args)
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            ppl = perplexity(model, heldout_blocks)
            acc = copy_accuracy(model, probes)
            train_loss = sum(losses) / len(losses)
            losses = []
            curve.append({"step": step + 1, "train_loss": round(train_loss, 4), "heldout_ppl": round(ppl, 3),
                          "copy_accuracy": round(acc, 3), "seconds": round(time.time() - start, 1),
                          "cpu_seconds": round(time.process_time() - cpu, 1)})
            log(f"step {step + 1:5d}  train loss {train_loss:.3f}  held-out ppl {ppl:.2f}  copy acc {acc:.3f}  "
                f"{time.time() - start:.0f} s")
    return curve, time.time() - start, time.process_time() - cpu


# ----------------------------------------------------------------------------------------------------------------
# Task and reference set
# ----------------------------------------------------------------------------------------------------------------
def date_rows(rng, n_train, n_heldout):
    """Prompt/completion rows on n_train + n_heldout distinct dates; the two splits share no date."""
    first = dt.date(FIRST_YEAR, 1, 1).toordinal()
    last = dt.date(LAST_YEAR, 12, 31).toordinal()
    days = rng.sample(range(first, last + 1), n_train + n_heldout)
    rows = [{"prompt": f"Date {iso_date(d)} in words:", "completion": " " + words_date(d)}
            for d in map(dt.date.fromordinal, days)]
    return rows[:n_train], rows[n_train:]


def reference_rows(rng, tok, n, max_tokens):
    """n rows of held-out text, each whole sentences (at least two) that fit in max_tokens with the EOS."""
    rows = []
    while len(rows) < n:
        text, _ = paragraph(rng)
        sentences = split_sentences(text)
        kept = []
        for s in sentences:
            candidate = " ".join(kept + [s])
            if len(tok.encode(candidate, add_special_tokens=False).ids) + 1 > max_tokens:
                break
            kept.append(s)
        if len(kept) >= 2:
            rows.append({"text": " ".join(kept)})
    return rows


def split_sentences(text):
    """Splits a paragraph at '. ' and '? ' (the grammar's sentences end with '.' or '?' and never contain '. ')."""
    out, start = [], 0
    for i in range(len(text) - 1):
        if text[i] in ".?" and text[i + 1] == " ":
            out.append(text[start:i + 1])
            start = i + 2
    out.append(text[start:])
    return out


def exact_match(model, tok, rows, eot_id, max_new_tokens=16):
    """Greedy continuation of each prompt, cut at the first <|endoftext|>, compared with the completion.
    A continuation that never ends within max_new_tokens is a miss. Returns (rate, some examples)."""
    import torch
    model.eval()
    by_length = {}
    for i, row in enumerate(rows):
        ids = tok.encode(row["prompt"], add_special_tokens=False).ids
        by_length.setdefault(len(ids), []).append((i, ids))
    outputs = [None] * len(rows)
    with torch.no_grad():
        for group in by_length.values():
            x = torch.tensor([ids for _, ids in group])
            y = model.generate(input_ids=x, attention_mask=torch.ones_like(x), max_new_tokens=max_new_tokens,
                               do_sample=False, eos_token_id=eot_id, pad_token_id=eot_id)[:, x.size(1):]
            for (i, _), gen in zip(group, y.tolist()):
                ended = eot_id in gen
                outputs[i] = (tok.decode(gen[:gen.index(eot_id)] if ended else gen), ended)
    hits = sum(1 for row, (text, ended) in zip(rows, outputs) if ended and text == row["completion"])
    examples = [{"prompt": r["prompt"], "expected": r["completion"], "got": o[0], "ended": o[1]}
                for r, o in list(zip(rows, outputs))[:5]]
    return hits / len(rows), examples


# ----------------------------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------------------------
def write_jsonl(path, rows):
    """One JSON object per line, UTF-8, no ASCII escaping."""
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def file_table(root):
    """(relative path, bytes, sha256) of every file under root."""
    out = []
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            out.append((os.path.relpath(path, root), os.path.getsize(path), digest))
    return sorted(out)


def write_manifest(out, report):
    """MANIFEST.md: what each file is, its size and checksum, how it was made, the measured figures."""
    files = [f for f in file_table(out) if f[0] != "MANIFEST.md"]
    final = report["pretraining"]["curve"][-1]
    lines = [
        "# Demo starter assets (generated)",
        "",
        "Written by `demo/scripts/make_starter.py` (see its docstring and `demo/README.md`); rerun it to regenerate.",
        f"Command: `{report['command']}`",
        "",
        "Licence: the project's own generated work (grammar, tokenizer, weights and rows all come from the script and "
        "its seed; no third-party text, weights or data), under the repository's licence (Apache License 2.0, LICENSE "
        "at the root).",
        "",
        "| file | bytes | sha256 |",
        "|---|---:|---|",
    ] + [f"| `{p}` | {n:,} | `{h[:16]}…` |" for p, n, h in files] + [
        "",
        "## Figures measured when these files were written",
        "",
        f"- seed {report['seed']}; corpus {report['corpus']['train_bytes']:,} bytes train "
        f"({report['corpus']['train_tokens']:,} tokens, {report['corpus']['train_paragraphs']:,} paragraphs), "
        f"{report['corpus']['heldout_bytes']:,} bytes held out ({report['corpus']['heldout_tokens']:,} tokens); "
        f"copying sentences {report['corpus']['copy_sentence_rate']:.1%}",
        f"- tokenizer: {report['tokenizer']['vocab_size']} tokens, {report['tokenizer']['chars_per_token']:.2f} "
        "characters per token on the held-out text",
        f"- base model: {report['model']['parameters']:,} parameters (float32); pretraining "
        f"{report['pretraining']['steps']} steps x {report['pretraining']['batch']}x{report['pretraining']['context']} "
        f"tokens in {report['pretraining']['seconds']:.0f} s wall ({report['pretraining']['cpu_seconds']:.0f} s CPU) on "
        f"{report['torch_threads']} threads (evaluations every {report['pretraining']['eval_every']} steps included; "
        "wall time depends on what else the machine runs)",
        f"- held-out perplexity {final['heldout_ppl']:.2f}; copy-probe accuracy {final['copy_accuracy']:.3f} "
        f"(first step at >= 0.5: {report['pretraining']['copy_emerged_at']})",
        f"- base exact match on the {report['task']['heldout_rows']} held-out dates: "
        f"{report['task']['base_exact_match']:.1%}",
        f"- general-reference rows: {report['reference']['rows']}, "
        f"{report['reference']['mean_tokens']:.1f} tokens on average (max {report['reference']['max_tokens']}, EOS "
        f"included); base perplexity on them {report['reference']['base_ppl']:.2f}",
        "",
        "## Pretraining curve",
        "",
        "| step | train loss | held-out ppl | copy acc | wall s | CPU s |",
        "|---:|---:|---:|---:|---:|---:|",
    ] + [f"| {c['step']} | {c['train_loss']:.3f} | {c['heldout_ppl']:.2f} | {c['copy_accuracy']:.3f} | "
         f"{c['seconds']:.0f} | {c['cpu_seconds']:.0f} |" for c in report["pretraining"]["curve"]] + [""]
    with open(os.path.join(out, "MANIFEST.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="output folder (model/, data/, MANIFEST.md, report.json)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--train-bytes", type=int, default=8_000_000)
    parser.add_argument("--heldout-bytes", type=int, default=200_000)
    parser.add_argument("--vocab-size", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--min-lr-ratio", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--train-rows", type=int, default=4000)
    parser.add_argument("--heldout-rows", type=int, default=200)
    parser.add_argument("--reference-rows", type=int, default=500)
    parser.add_argument("--reference-tokens", type=int, default=64, help="max tokens of a reference row, EOS included")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save-corpus", metavar="DIR", help="also write train.txt / heldout.txt there")
    parser.add_argument("--quick", action="store_true", help="smoke run: 400 KB corpus, 60 steps (useless model)")
    args = parser.parse_args()
    if args.quick:
        args.train_bytes, args.heldout_bytes, args.steps, args.eval_every = 400_000, 40_000, 60, 20
        args.warmup = 10

    import torch
    import tokenizers
    import transformers
    torch.set_num_threads(args.threads)
    log = lambda msg: print(f"[make_starter] {msg}", file=sys.stderr, flush=True)
    model_dir, data_dir = os.path.join(args.out, "model"), os.path.join(args.out, "data")
    os.makedirs(model_dir, exist_ok=True)
    os.makedirs(data_dir, exist_ok=True)
    t0 = time.time()

    # Independent random streams, so that changing one output's size leaves the others as they were.
    streams = {name: random.Random(f"{args.seed}/{name}") for name in
               ("train", "heldout", "probes", "dates", "reference")}
    train = corpus(streams["train"], args.train_bytes)
    heldout = corpus(streams["heldout"], args.heldout_bytes)
    train_texts, heldout_texts = [p[0] for p in train], [p[0] for p in heldout]
    sentences = sum(len(split_sentences(t)) for t in train_texts)
    copy_rate = sum(len(c) for _, c in train) / sentences
    log(f"corpus: {len(train_texts):,} train paragraphs ({sum(map(len, train_texts)):,} chars), "
        f"{len(heldout_texts):,} held out; copying sentences {copy_rate:.1%}; {time.time() - t0:.0f} s")
    if args.save_corpus:
        os.makedirs(args.save_corpus, exist_ok=True)
        for name, texts in (("train.txt", train_texts), ("heldout.txt", heldout_texts)):
            with open(os.path.join(args.save_corpus, name), "w", encoding="utf-8") as f:
                f.write(f"\n{EOT}\n".join(texts) + "\n")

    tok = train_tokenizer(train_texts, args.vocab_size)
    eot_id = tok.token_to_id(EOT)
    save_tokenizer(tok, model_dir, args.context)
    train_ids = token_stream(tok, train_texts, eot_id)
    heldout_ids = token_stream(tok, heldout_texts, eot_id)
    n = len(heldout_ids) // args.context
    heldout_blocks = torch.tensor(heldout_ids[:n * args.context]).view(n, args.context)
    chars_per_token = sum(len(t) + 1 for t in heldout_texts) / len(heldout_ids)
    log(f"tokenizer: {tok.get_vocab_size()} tokens; {len(train_ids):,} train tokens, {len(heldout_ids):,} held out "
        f"({chars_per_token:.2f} chars/token)")

    probes = copy_probes(tok, streams["probes"], 200)
    torch.manual_seed(args.seed)  # the initial weights
    model = make_model(tok.get_vocab_size(), eot_id, args)
    parameters = sum(p.numel() for p in model.parameters())
    log(f"model: {parameters:,} parameters; pretraining {args.steps} steps of {args.batch}x{args.context}")
    curve, seconds, cpu_seconds = pretrain(model, train_ids, heldout_blocks, probes, args, log)
    emerged = next((c["step"] for c in curve if c["copy_accuracy"] >= 0.5), None)
    model.save_pretrained(model_dir, safe_serialization=True)

    train_rows, heldout_rows = date_rows(streams["dates"], args.train_rows, args.heldout_rows)
    write_jsonl(os.path.join(data_dir, "dates-train.jsonl"), train_rows)
    write_jsonl(os.path.join(data_dir, "dates-heldout.jsonl"), heldout_rows)
    em, examples = exact_match(model, tok, heldout_rows, eot_id)
    log(f"base exact match on held-out dates: {em:.1%}; e.g. {examples[0]}")

    ref = reference_rows(streams["reference"], tok, args.reference_rows, args.reference_tokens)
    write_jsonl(os.path.join(data_dir, "general-reference.jsonl"), ref)
    ref_lengths = [len(tok.encode(r["text"], add_special_tokens=False).ids) + 1 for r in ref]
    ref_ppl = reference_perplexity(model, tok, ref, eot_id)
    log(f"reference set: {len(ref)} rows, mean {sum(ref_lengths) / len(ref):.1f} tokens; base ppl {ref_ppl:.2f}")

    report = {
        "command": "make_starter.py " + " ".join(sys.argv[1:]),
        "seed": args.seed,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "tokenizers": tokenizers.__version__, "python": sys.version.split()[0]},
        "torch_threads": args.threads,
        "corpus": {"train_bytes": sum(len(t.encode()) + 1 for t in train_texts), "train_tokens": len(train_ids),
                   "train_paragraphs": len(train_texts), "heldout_bytes": sum(len(t.encode()) + 1 for t in heldout_texts),
                   "heldout_tokens": len(heldout_ids), "copy_sentence_rate": round(copy_rate, 4)},
        "tokenizer": {"vocab_size": tok.get_vocab_size(), "chars_per_token": round(chars_per_token, 3),
                      "eot_id": eot_id},
        "model": {"parameters": parameters},
        "pretraining": {"steps": args.steps, "batch": args.batch, "context": args.context, "lr": args.lr,
                        "warmup": args.warmup, "min_lr_ratio": args.min_lr_ratio, "seconds": round(seconds, 1),
                        "cpu_seconds": round(cpu_seconds, 1),
                        "copy_emerged_at": emerged, "eval_every": args.eval_every, "curve": curve},
        "task": {"train_rows": len(train_rows), "heldout_rows": len(heldout_rows), "base_exact_match": em,
                 "base_examples": examples},
        "reference": {"rows": len(ref), "mean_tokens": sum(ref_lengths) / len(ref), "max_tokens": max(ref_lengths),
                      "base_ppl": round(ref_ppl, 3)},
        "total_seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_manifest(args.out, report)
    log(f"done in {time.time() - t0:.0f} s: {args.out}")
    if emerged is None:
        log("WARNING: the copy probe never reached 0.5: copying did not emerge; the date task will not be learnt well")


def reference_perplexity(model, tok, rows, eot_id):
    """Token-weighted perplexity of text rows, each encoded + <|endoftext|> and scored on its own."""
    import torch
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for row in rows:
            ids = tok.encode(row["text"], add_special_tokens=False).ids + [eot_id]
            x = torch.tensor([ids])
            logits = model(input_ids=x).logits[0, :-1]
            total += torch.nn.functional.cross_entropy(logits, x[0, 1:], reduction="sum").item()
            count += len(ids) - 1
    return math.exp(total / count)


if __name__ == "__main__":
    main()
