#!/usr/bin/env python3
"""Speed and peak memory of the engine's LoRA training against transformers + PEFT, side by side on this machine.

    libs/engine/scripts/benchmark.py                  # the README's table: 2 models x r 8, 16; ~12 min on 2 cores
    libs/engine/scripts/benchmark.py --quick          # tiny shapes, a smoke run (~1 min after the build)
    libs/engine/scripts/benchmark.py --profile        # also one profiled run per side and case: op time breakdown

For each case (model x LoRA rank) it runs the same LoRA training in separate processes, alternating engine / PEFT /
engine / PEFT (--repetitions each): the engine's org.lorafoundry.engine.bench.TrainingBenchmark (test classpath,
built with ./mvnw) and benchmark_peft.py (the Python of python-env.sh). Both read one case.json: the same random-weight
model (written once with transformers' save_pretrained), the same pre-tokenized random batches, the same LoRA config,
AdamW settings, thread count and OMP_WAIT_POLICY=PASSIVE. Each process trains --warmup-steps untimed optimizer steps,
then --steps timed ones; tokens/s = input tokens of the timed steps / their wall time. Peak RSS is the kernel's
high-water mark of each child process (os.wait4's ru_maxrss). tokens per CPU-second (the process's user + system time
over the timed steps, all threads) is printed beside tokens/s: on a machine shared with other work it moves much less
than wall time. The table shows medians over the repetitions and the engine/PEFT ratios (speed ratio > 1: the engine
is faster; RSS ratio < 1: the engine uses less).

Before comparing, each pair is checked to be the same work: equal trainable parameter counts and equal first-step
losses (same base, same batch, lora_B starts at 0). Results go to --work-dir (default libs/engine/target/benchmark):
results.json (every run, the machine, the settings), table.md, logs/, and with --profile profile-*.md.

Internal sub-command (run in its own process so this one stays small): benchmark.py prepare PREPARE.json
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
ENGINE = SCRIPTS.parent
REPO = ENGINE.parent.parent
MAIN_CLASS = "org.lorafoundry.engine.bench.TrainingBenchmark"

# Model shapes (transformers config fields). Targets: PEFT's defaults for the architecture, the usual attention
# projections (--targets all-linear changes both sides alike).
MODELS = {
    "gpt2-small": dict(model_type="gpt2", n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024,
                       resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, targets=["c_attn"]),
    "llama-small": dict(model_type="llama", num_hidden_layers=8, hidden_size=512, num_attention_heads=8,
                        num_key_value_heads=4, intermediate_size=1376, vocab_size=32000, max_position_embeddings=2048,
                        tie_word_embeddings=False, attention_dropout=0.0, targets=["q_proj", "v_proj"]),
}
QUICK_MODELS = {
    "gpt2-tiny": dict(model_type="gpt2", n_layer=2, n_embd=64, n_head=4, vocab_size=1000, n_positions=64,
                      resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, targets=["c_attn"]),
    "llama-tiny": dict(model_type="llama", num_hidden_layers=2, hidden_size=64, num_attention_heads=4,
                       num_key_value_heads=2, intermediate_size=176, vocab_size=1000, max_position_embeddings=64,
                       tie_word_embeddings=False, attention_dropout=0.0, targets=["q_proj", "v_proj"]),
}


# ---------------------------------------------------------------------------------------------------------- prepare
def prepare(spec_file):
    """Writes the models (once; reused while their spec is unchanged) and the batch files that spec_file lists."""
    import torch
    from safetensors.torch import save_file
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import AutoConfig, AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    spec = json.loads(Path(spec_file).read_text())
    for name, shape in spec["models"].items():
        out = Path(spec["work_dir"]) / "models" / name
        stamp = out / "benchmark-spec.json"
        if stamp.exists() and json.loads(stamp.read_text()) == shape:
            continue
        log(f"writing {name} to {out}")
        fields = {k: v for k, v in shape.items() if k not in ("model_type", "targets")}
        config = AutoConfig.for_model(shape["model_type"], **fields)
        torch.manual_seed(spec["seed"])
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)  # transformers' default init
        model.save_pretrained(out)
        vocab = shape["vocab_size"]
        # A word-level tokenizer covering the vocabulary, so the directory is a complete model (the benchmark itself
        # feeds token ids); the last id is the end-of-text token.
        words = {f"t{i}": i for i in range(vocab - 1)}
        words["<|endoftext|>"] = vocab - 1
        tokenizer = Tokenizer(models.WordLevel(words, unk_token="<|endoftext|>"))
        tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        tokenizer.save(str(out / "tokenizer.json"))
        (out / "tokenizer_config.json").write_text(json.dumps(
            {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "<|endoftext|>", "model_max_length": 1 << 20},
            indent=2))
        stamp.write_text(json.dumps(shape))
        del model
    for batch in spec["batches"]:
        g = torch.Generator().manual_seed(spec["seed"])
        ids = torch.randint(0, batch["vocab_size"], (batch["micro_batches"], batch["batch_size"], batch["length"]),
                            generator=g, dtype=torch.int64)
        save_file({"input_ids": ids, "labels": ids.clone()}, batch["file"])  # every token learned, no padding


# ------------------------------------------------------------------------------------------------------------ runs
def log(message):
    print(f"[benchmark] {message}", file=sys.stderr, flush=True)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem / 2**20, 1), "kernel": platform.release()}


def load_average():
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def build_engine(skip):
    """test-compile the engine and write its test classpath; returns the java -cp value."""
    cp_file = ENGINE / "target" / "bench-classpath.txt"
    if not skip or not cp_file.exists():
        log("building the engine's test classes (./mvnw -pl libs/engine test-compile)")
        subprocess.run([str(REPO / "mvnw"), "-q", "-pl", "libs/engine", "test-compile", "dependency:build-classpath",
                        f"-Dmdep.outputFile={cp_file}", "-Dmdep.includeScope=test"], cwd=REPO, check=True)
    return os.pathsep.join([str(ENGINE / "target" / "test-classes"), str(ENGINE / "target" / "classes"),
                            cp_file.read_text().strip()])


def child_env(threads):
    env = dict(os.environ)
    env.update({
        # With a busy neighbour, OpenMP threads spinning while they wait cost 3-4x (RECIPES.md).
        "OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
        "DJL_OFFLINE": "true", "OPT_OUT_TRACKING": "true",
        "DJL_CACHE_DIR": env.get("DJL_CACHE_DIR", str(Path.home() / ".djl.ai")),
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false",
    })
    return env


def run_child(command, env, log_file):
    """Runs one side in its own process; returns (exit status, peak RSS in bytes from the kernel, wall seconds)."""
    start = time.monotonic()
    with open(log_file, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss * 1024, time.monotonic() - start


def run_side(side, case, args, classpath, python, logs, label):
    case_file = Path(case["result"]).with_suffix(".case.json")
    case_file.write_text(json.dumps(case, indent=2))
    if side == "engine":
        command = ["java", *shlex.split(args.jvm_options), f"-Dai.djl.pytorch.num_threads={args.threads}",
                   "-Dai.djl.pytorch.num_interop_threads=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                   "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
                   "-cp", classpath, MAIN_CLASS, str(case_file)]
    else:
        command = [python, str(SCRIPTS / "benchmark_peft.py"), str(case_file)]
    log_file = logs / f"{label}.log"
    status, peak, wall = run_child(command, child_env(args.threads), log_file)
    if status != 0:
        raise SystemExit(f"{side} run {label} failed (exit {status}); its output:\n{log_file.read_text()[-4000:]}")
    result = json.loads(Path(case["result"]).read_text())
    result["peak_rss_wait4"] = peak
    result["process_seconds"] = wall
    return result


def check_same_work(name, engine, peft, tolerance):
    """Refuses to compare runs that did different work: same trainable parameters, same first-step loss."""
    if engine["trainable_parameters"] != peft["trainable_parameters"]:
        raise SystemExit(f"{name}: the engine trains {engine['trainable_parameters']} parameters, PEFT"
                         f" {peft['trainable_parameters']}: not the same LoRA configuration")
    a, b = engine["losses"][0], peft["losses"][0]
    if abs(a - b) > tolerance * abs(b):
        raise SystemExit(f"{name}: first-step loss {a} (engine) vs {b} (PEFT): not the same model or batch")


def cases(args):
    shapes = QUICK_MODELS if args.quick else MODELS
    chosen = args.models.split(",") if args.models else list(shapes)
    unknown = [m for m in chosen if m not in shapes]
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; choose from {list(shapes)}")
    for model in chosen:
        for r in args.ranks:
            targets = "all-linear" if args.targets == "all-linear" else shapes[model]["targets"]
            yield model, shapes[model], r, {
                "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": 2 * r, "lora_dropout": 0.05,
                "target_modules": targets, "bias": "none"}


def case_json(name, model, lora, args, work, batches, tag, profile):
    """The case.json both sides read (fields: BenchmarkCase.java)."""
    (work / "runs").mkdir(parents=True, exist_ok=True)
    return {"name": name, "model_dir": str(work / "models" / model), "batches": str(batches), "lora": lora,
            "warmup_steps": args.warmup_steps, "steps": args.steps, "gradient_accumulation_steps": args.accumulation,
            "learning_rate": args.learning_rate, "weight_decay": 0.0, "max_grad_norm": 1.0, "seed": 42,
            "threads": args.threads,
            "profile_trace": str(work / "profiles" / f"{tag}.trace.json") if profile else None,
            "result": str(work / "runs" / f"{tag}.json")}


def mib(n):
    return f"{n / 2**20:,.0f} MiB"


def table(rows):
    lines = ["| case | engine tok/s | PEFT tok/s | ratio | engine tok/CPU-s | PEFT tok/CPU-s | ratio | engine peak RSS"
             " | PEFT peak RSS | ratio |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['engine_tps']:.1f} | {r['peft_tps']:.1f} | {r['tps_ratio']:.2f} |"
                     f" {r['engine_tpcs']:.1f} | {r['peft_tpcs']:.1f} | {r['tpcs_ratio']:.2f} |"
                     f" {mib(r['engine_rss'])} | {mib(r['peft_rss'])} | {r['rss_ratio']:.2f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny models, length 32, batch 2, 1 repetition")
    parser.add_argument("--models", help="comma-separated subset of " + ", ".join([*MODELS, *QUICK_MODELS]))
    parser.add_argument("--ranks", type=lambda s: [int(x) for x in s.split(",")], default=[8, 16])
    parser.add_argument("--targets", choices=["default", "all-linear"], default="default",
                        help="default: gpt2 c_attn, llama q_proj,v_proj (PEFT's defaults)")
    parser.add_argument("--steps", type=int, help="timed optimizer steps per run (default 3; quick 3)")
    parser.add_argument("--warmup-steps", type=int, default=1, help="untimed optimizer steps first (default 1)")
    parser.add_argument("--repetitions", type=int, help="runs per side and case, alternating (default 2; quick 1)")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count()), help="intra-op threads, both sides")
    parser.add_argument("--batch-size", type=int, help="rows per micro-batch (default 4; quick 2)")
    parser.add_argument("--length", type=int, help="tokens per row (default 256; quick 32)")
    parser.add_argument("--accumulation", type=int, default=1, help="micro-batches per optimizer step")
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--profile", action="store_true",
                        help="after the timed runs, one profiled run per side and case (libtorch's profiler on both"
                             " sides) and an op-by-op time breakdown")
    parser.add_argument("--jvm-options", default="", help="extra JVM options for the engine, e.g. '-Xmx1g'")
    parser.add_argument("--python", help="the Python with torch/transformers/peft (default: python-env.sh's venv)")
    parser.add_argument("--work-dir", type=Path, default=ENGINE / "target" / "benchmark")
    parser.add_argument("--skip-build", action="store_true", help="reuse the engine classes and classpath built before")
    args = parser.parse_args()
    args.steps = args.steps or 3
    args.repetitions = args.repetitions or (1 if args.quick else 2)
    args.batch_size = args.batch_size or (2 if args.quick else 4)
    args.length = args.length or (32 if args.quick else 256)
    if min(args.steps, args.repetitions, args.threads, args.batch_size, args.accumulation) < 1 or args.length < 2 \
            or args.warmup_steps < 0:
        raise SystemExit("steps, repetitions, threads, batch size and accumulation must be >= 1, length >= 2,"
                         " warm-up steps >= 0")

    work = args.work_dir.resolve()
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    python = args.python or subprocess.run([str(SCRIPTS / "python-env.sh")], capture_output=True, text=True,
                                           check=True).stdout.strip()
    classpath = build_engine(args.skip_build)
    started = time.monotonic()
    before = load_average()

    selected = list(cases(args))
    micro_batches = (args.warmup_steps + args.steps) * args.accumulation
    shapes = {model: shape for model, shape, _, _ in selected}
    batch_file = {m: work / f"batches-{m}-{args.batch_size}x{args.length}-{micro_batches}.safetensors" for m in shapes}
    prepare_spec = work / "prepare.json"
    prepare_spec.write_text(json.dumps({
        "work_dir": str(work), "seed": 42, "models": shapes,
        "batches": [{"file": str(batch_file[m]), "vocab_size": s["vocab_size"], "micro_batches": micro_batches,
                     "batch_size": args.batch_size, "length": args.length} for m, s in shapes.items()]}))
    log("preparing models and batches")
    subprocess.run([python, str(Path(__file__).resolve()), "prepare", str(prepare_spec)], check=True,
                   env=child_env(args.threads))

    runs, rows = [], []
    for model, shape, r, lora in selected:
        name = f"{model} r={r}"
        label = f"{model}-r{r}"
        by_side = {"engine": [], "peft": []}
        for rep in range(args.repetitions):
            for side in ("engine", "peft"):
                tag = f"{label}-{side}-{rep + 1}"
                case = case_json(name, model, lora, args, work, batch_file[model], tag, profile=False)
                log(f"{name}: {side} run {rep + 1}/{args.repetitions}")
                result = run_side(side, case, args, classpath, python, logs, tag)
                log(f"{name}: {side} {result['tokens_per_second']:.1f} tok/s,"
                    f" {result['tokens_per_cpu_second']:.1f} tok/CPU-s, peak RSS"
                    f" {mib(result['peak_rss_wait4'])} (process {result['process_seconds']:.0f} s)")
                by_side[side].append(result)
                runs.append(result)
        check_same_work(name, by_side["engine"][0], by_side["peft"][0], 1e-4)
        med = {side: {key: statistics.median(x[key] for x in rs)
                      for key in ("tokens_per_second", "tokens_per_cpu_second", "peak_rss_wait4")}
               for side, rs in by_side.items()}
        e, p = med["engine"], med["peft"]
        rows.append({"case": name, "engine_tps": e["tokens_per_second"], "peft_tps": p["tokens_per_second"],
                     "tps_ratio": e["tokens_per_second"] / p["tokens_per_second"],
                     "engine_tpcs": e["tokens_per_cpu_second"], "peft_tpcs": p["tokens_per_cpu_second"],
                     "tpcs_ratio": e["tokens_per_cpu_second"] / p["tokens_per_cpu_second"],
                     "engine_rss": e["peak_rss_wait4"], "peft_rss": p["peak_rss_wait4"],
                     "rss_ratio": e["peak_rss_wait4"] / p["peak_rss_wait4"],
                     "first_loss": {"engine": by_side["engine"][0]["losses"][0],
                                    "peft": by_side["peft"][0]["losses"][0]},
                     "trainable_parameters": by_side["engine"][0]["trainable_parameters"]})

    profiles = []
    if args.profile:
        import benchmark_profile  # next to this script
        for model, shape, r, lora in selected:
            label = f"{model}-r{r}"
            traces = {}
            for side in ("engine", "peft"):
                tag = f"{label}-{side}-profile"
                case = case_json(f"{model} r={r}", model, lora, args, work, batch_file[model], tag, profile=True)
                log(f"{case['name']}: profiled {side} run")
                traces[side] = (run_side(side, case, args, classpath, python, logs, tag), case["profile_trace"])
            report = benchmark_profile.compare(f"{model} r={r}", traces)
            (work / f"profile-{label}.md").write_text(report)
            profiles.append(str(work / f"profile-{label}.md"))
            print(report)

    after = load_average()
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    summary = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
               "load_average_before": before, "load_average_after": after, "settings": settings,
               "models": shapes, "wall_seconds": round(time.monotonic() - started), "rows": rows, "runs": runs,
               "profiles": profiles}
    (work / "results.json").write_text(json.dumps(summary, indent=2))
    text = table(rows)
    (work / "table.md").write_text(text + "\n")
    m = summary["machine"]
    print(f"\n{m['nproc']} x {m['cpu']}, {m['memory_gib']} GiB; load average {before} -> {after};"
          f" {args.threads} threads; batch {args.batch_size} x {args.length}, {args.steps} timed steps after"
          f" {args.warmup_steps} warm-up, {args.repetitions} runs per side (medians); {summary['wall_seconds']} s\n")
    print(text)
    print(f"\nresults: {work / 'results.json'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    else:
        main()
