#!/usr/bin/env python3
"""The transformers + PEFT side of benchmark.py: LoRA training on one benchmark case, timed per optimizer step.

    python benchmark_peft.py CASE.json

CASE.json is what benchmark.py writes for both sides (the engine's TrainingBenchmark reads the same file): the model
directory, the pre-tokenized batches (safetensors: I64 input_ids and labels, [micro-batches, batch, length]), the
adapter's adapter_config.json fields, warm-up and timed steps, optimizer settings, threads, and where the result goes.

Each optimizer step is what HF's Trainer does for these settings (and what the engine's LoraTrainer does), written out
so that no Trainer bookkeeping is timed: num_items_in_batch = labels != -100 after the shift over the step's
micro-batches; per micro-batch loss = model(input_ids, labels, num_items_in_batch).loss (summed token loss / that
count), loss.backward(); clip_grad_norm_(trainable, max_grad_norm); AdamW.step() (torch's default implementation for
CPU tensors, the single-tensor loop); linear schedule step; zero_grad(). The model is in train mode with every dropout
of the base config at 0 (the engine has no base-model dropout); lora_dropout is the case's. Attention is transformers'
default implementation (sdpa), written to the result.
"""
import json
import os
import sys
import time

import torch
from safetensors.torch import load_file

import peft
import transformers
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, get_linear_schedule_with_warmup


def process_memory():
    """Peak and current resident set of this process, bytes (/proc/self/status), as the engine reports it."""
    kb = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if value.strip().endswith(" kB"):
                kb[key] = int(value.split()[0])
    return {"peak_rss": kb["VmHWM"] * 1024, "rss": kb["VmRSS"] * 1024, "rss_anon": kb["RssAnon"] * 1024,
            "rss_file": kb["RssFile"] * 1024}


def process_age_seconds():
    """Seconds since this process started (as the JVM's uptime on the engine side): imports included."""
    with open("/proc/self/stat") as f:
        started_ticks = int(f.read().rpartition(")")[2].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - started_ticks / os.sysconf("SC_CLK_TCK")


def run(case):
    torch.set_num_threads(case["threads"])
    torch.set_num_interop_threads(1)
    torch.manual_seed(case["seed"])
    batches = load_file(case["batches"])
    ids_all, labels_all = batches["input_ids"], batches["labels"]
    total = case["warmup_steps"] + case["steps"]
    accumulation = case["gradient_accumulation_steps"]
    if ids_all.shape[0] < total * accumulation:
        raise SystemExit(f"{case['batches']} holds {ids_all.shape[0]} micro-batches; {total} steps x {accumulation}"
                         f" need {total * accumulation}")

    model = AutoModelForCausalLM.from_pretrained(case["model_dir"], dtype=torch.float32)
    lora = {k: v for k, v in case["lora"].items() if k != "peft_type"}
    model = get_peft_model(model, LoraConfig(**lora))
    model.train()
    trainable, all_params = model.get_nb_trainable_parameters()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=case["learning_rate"], weight_decay=case["weight_decay"])
    scheduler = get_linear_schedule_with_warmup(optimizer, 0, total)
    load_seconds = process_age_seconds()

    losses, timed, cpu = [], [], []
    tokens_per_step = 0
    profiler = None
    for step in range(total):
        measured = step >= case["warmup_steps"]
        if measured and step == case["warmup_steps"] and case.get("profile_trace"):
            profiler = torch.autograd.profiler.profile(record_shapes=True)
            profiler.__enter__()
        group = range(step * accumulation, (step + 1) * accumulation)
        start, cpu_start = time.perf_counter(), time.process_time()
        num_items = sum(int((labels_all[i][..., 1:] != -100).sum()) for i in group)
        loss_sum = 0.0
        tokens = 0
        for i in group:
            ids, labels = ids_all[i], labels_all[i]
            tokens += ids.numel()
            loss = model(input_ids=ids, labels=labels, num_items_in_batch=torch.tensor(num_items)).loss
            loss.backward()
            loss_sum += loss.item()
        torch.nn.utils.clip_grad_norm_(params, case["max_grad_norm"])
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        losses.append(loss_sum)
        tokens_per_step = tokens
        if measured:
            timed.append(seconds)
            cpu.append(cpu_seconds)
        print(f"[peft] {case['name']} step {step + 1}/{total}{'' if measured else ' (warm-up)'}: loss {loss_sum:.6f},"
              f" {seconds:.2f} s (CPU {cpu_seconds:.2f} s)", file=sys.stderr)
    if profiler is not None:
        profiler.__exit__(None, None, None)
        os.makedirs(os.path.dirname(os.path.abspath(case["profile_trace"])), exist_ok=True)
        profiler.export_chrome_trace(case["profile_trace"])

    return {
        "side": "peft", "name": case["name"], "tokens_per_second": tokens_per_step * len(timed) / sum(timed),
        "step_seconds": timed, "tokens_per_cpu_second": tokens_per_step * len(cpu) / sum(cpu), "cpu_seconds": cpu,
        "tokens_per_step": tokens_per_step, "losses": losses,
        "trainable_parameters": trainable, "all_parameters": all_params, "load_seconds": load_seconds,
        "memory": process_memory(),
        "runtime": {"intra_op_threads": torch.get_num_threads(), "inter_op_threads": torch.get_num_interop_threads(),
                    "torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
                    "attn_implementation": model.base_model.model.config._attn_implementation,
                    "python": sys.version.split()[0]},
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: benchmark_peft.py CASE.json   (written by benchmark.py)")
    with open(sys.argv[1]) as f:
        case = json.load(f)
    result = run(case)
    with open(case["result"], "w") as f:
        json.dump(result, f, indent=2)
