#!/usr/bin/env python3
"""Where the time of a training step goes, engine versus transformers + PEFT, from libtorch's profiler traces.

Both sides record their timed steps with the same libtorch profiler: the engine through DJL's JniUtils.startProfile /
stopProfile (the legacy profiler's Chrome trace: a JSON list of events), PEFT through torch.autograd.profiler.profile
(Kineto's Chrome trace: {"traceEvents": [...]}, ops under cat "cpu_op"). Every op event has a start and a duration;
nesting (an op calling ops, autograd's backward functions calling kernels) is rebuilt per thread, so each op gets its
self time. Ops are grouped by what they do; the time no op accounts for (wall time minus top-level op time) is what
the language around libtorch costs: Java + JNI + DJL on one side, Python + transformers + PEFT modules on the other.

    python benchmark_profile.py ENGINE_RESULT.json ENGINE_TRACE.json PEFT_RESULT.json PEFT_TRACE.json

benchmark.py --profile calls compare() for each case.
"""
import json
import sys
from collections import defaultdict

# Self time by kind of op (aten names; anything else is "other").
GROUPS = [
    ("matrix multiplications", {"aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm", "aten::matmul",
                                "aten::linear", "aten::dot"}),
    ("attention kernels (sdpa / softmax)", {"aten::_scaled_dot_product_flash_attention_for_cpu",
                                           "aten::_scaled_dot_product_flash_attention_for_cpu_backward",
                                           "aten::scaled_dot_product_attention", "aten::softmax", "aten::_softmax",
                                           "aten::_softmax_backward_data"}),
    ("loss (log-softmax, gather / nll)", {"aten::log_softmax", "aten::_log_softmax", "aten::_log_softmax_backward_data",
                                          "aten::nll_loss", "aten::nll_loss_forward", "aten::nll_loss_backward",
                                          "aten::nll_loss_nd", "aten::cross_entropy_loss", "aten::gather",
                                          "aten::scatter", "aten::scatter_", "aten::scatter_add_", "aten::cross_entropy"}),
    ("copies and casts", {"aten::copy_", "aten::clone", "aten::contiguous", "aten::_to_copy", "aten::to", "aten::cat",
                          "aten::stack", "aten::index", "aten::index_select", "aten::embedding",
                          "aten::embedding_backward", "aten::embedding_dense_backward", "aten::repeat",
                          "aten::repeat_interleave", "aten::constant_pad_nd", "aten::pad"}),
    ("views (metadata only)", {"aten::view", "aten::reshape", "aten::_reshape_alias", "aten::as_strided",
                               "aten::transpose", "aten::t", "aten::permute", "aten::slice", "aten::select",
                               "aten::expand", "aten::narrow", "aten::unsqueeze", "aten::squeeze", "aten::_unsafe_view",
                               "aten::split", "aten::split_with_sizes", "aten::chunk", "aten::unflatten",
                               "aten::flatten", "aten::alias", "aten::detach", "aten::detach_", "detach",
                               "aten::resolve_conj", "aten::resolve_neg", "aten::broadcast_to", "aten::expand_as",
                               "aten::view_as", "aten::unbind", "aten::lift_fresh"}),
    ("allocation and fills", {"aten::empty", "aten::empty_strided", "aten::empty_like", "aten::zeros",
                              "aten::zeros_like", "aten::ones", "aten::ones_like", "aten::fill_", "aten::zero_",
                              "aten::resize_", "aten::set_", "aten::full", "aten::arange", "aten::new_zeros",
                              "aten::new_empty", "aten::new_empty_strided", "aten::scalar_tensor", "aten::tensor",
                              "aten::item", "aten::_local_scalar_dense"}),
    ("norms (LayerNorm / RMSNorm)", {"aten::layer_norm", "aten::native_layer_norm", "aten::native_layer_norm_backward",
                                     "aten::rms_norm", "aten::_fused_rms_norm", "aten::_fused_rms_norm_backward",
                                     "aten::rsqrt", "aten::pow", "aten::mean"}),
]


def group_of(name):
    if name.startswith("autograd::engine::evaluate_function") or name.endswith("Backward0") \
            or name.endswith("Backward1") or name.startswith("torch::autograd::"):
        return "autograd bookkeeping"
    for group, names in GROUPS:
        if name in names:
            return group
    if name.startswith("aten::"):
        return "elementwise and other aten ops"
    return "other"


def op_events(trace_file):
    """The op events of a trace: (thread, start us, duration us, name)."""
    with open(trace_file) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    out = []
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        if isinstance(data, dict) and e.get("cat") != "cpu_op":  # Kineto: skip annotations and the trace span
            continue
        out.append((e.get("tid"), float(e["ts"]), float(e["dur"]), e["name"]))
    return out


def self_times(events):
    """Self time and call count per op name, plus the summed time of top-level ops (not inside another op)."""
    by_thread = defaultdict(list)
    for tid, ts, dur, name in events:
        by_thread[tid].append((ts, -dur, name))
    self_us, calls = defaultdict(float), defaultdict(int)
    top_level = 0.0
    for items in by_thread.values():
        items.sort()  # by start; of two ops starting together the longer (the caller) first
        stack = []  # entries: [end, name, duration, child_time]
        for ts, neg_dur, name in items:
            dur = -neg_dur
            while stack and ts >= stack[-1][0] - 1e-3:
                close(stack.pop(), self_us)
            if stack:
                stack[-1][3] += dur
            else:
                top_level += dur
            calls[name] += 1
            stack.append([ts + dur, name, dur, 0.0])
        while stack:
            close(stack.pop(), self_us)
    return self_us, calls, top_level


def close(entry, self_us):
    _, name, dur, child = entry
    self_us[name] += max(0.0, dur - child)


def side_profile(result_file_or_dict, trace_file):
    result = result_file_or_dict
    if not isinstance(result, dict):
        with open(result_file_or_dict) as f:
            result = json.load(f)
    steps = len(result["step_seconds"])
    wall_ms = sum(result["step_seconds"]) * 1e3 / steps
    self_us, calls, top_level = self_times(op_events(trace_file))
    groups = defaultdict(float)
    for name, us in self_us.items():
        groups[group_of(name)] += us
    return {
        "wall_ms": wall_ms,
        "ops_ms": top_level / 1e3 / steps,
        "calls": sum(calls.values()) / steps,
        "groups": {g: us / 1e3 / steps for g, us in groups.items()},
        "ops": {n: (us / 1e3 / steps, calls[n] / steps) for n, us in self_us.items()},
    }


def compare(name, traces):
    """traces: {"engine": (result dict, trace file), "peft": (...)}; returns a Markdown report."""
    e = side_profile(*traces["engine"])
    p = side_profile(*traces["peft"])
    lines = [f"### Profile: {name} (ms per optimizer step, self time; profiler on, so slower than the table)", "",
             "| | engine | PEFT | engine - PEFT |", "|---|---:|---:|---:|",
             f"| wall time of a step | {e['wall_ms']:.1f} | {p['wall_ms']:.1f} | {e['wall_ms'] - p['wall_ms']:+.1f} |",
             f"| in libtorch ops (top level) | {e['ops_ms']:.1f} | {p['ops_ms']:.1f} | {e['ops_ms'] - p['ops_ms']:+.1f} |",
             f"| outside ops (Java/JNI/DJL vs Python) | {e['wall_ms'] - e['ops_ms']:.1f} | {p['wall_ms'] - p['ops_ms']:.1f}"
             f" | {(e['wall_ms'] - e['ops_ms']) - (p['wall_ms'] - p['ops_ms']):+.1f} |",
             f"| op calls per step | {e['calls']:.0f} | {p['calls']:.0f} | {e['calls'] - p['calls']:+.0f} |"]
    for g in sorted(set(e["groups"]) | set(p["groups"]), key=lambda g: -(e["groups"].get(g, 0) + p["groups"].get(g, 0))):
        a, b = e["groups"].get(g, 0.0), p["groups"].get(g, 0.0)
        lines.append(f"| {g} | {a:.1f} | {b:.1f} | {a - b:+.1f} |")
    lines += ["", "Largest differences by op (ms per step, calls per step):", "",
              "| op | engine ms | PEFT ms | engine - PEFT | engine calls | PEFT calls |", "|---|---:|---:|---:|---:|---:|"]
    names = set(e["ops"]) | set(p["ops"])
    diff = sorted(names, key=lambda n: -abs(e["ops"].get(n, (0, 0))[0] - p["ops"].get(n, (0, 0))[0]))
    for n in diff[:15]:
        (a, ac), (b, bc) = e["ops"].get(n, (0.0, 0)), p["ops"].get(n, (0.0, 0))
        lines.append(f"| `{n}` | {a:.1f} | {b:.1f} | {a - b:+.1f} | {ac:.0f} | {bc:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit("usage: benchmark_profile.py ENGINE_RESULT.json ENGINE_TRACE.json PEFT_RESULT.json"
                         " PEFT_TRACE.json")
    print(compare("by hand", {"engine": (sys.argv[1], sys.argv[2]), "peft": (sys.argv[3], sys.argv[4])}))
