#!/usr/bin/env python3
"""Runs every model in shared/models through `tinyforge run --pattern tflm --trace --json`
and prints one table row per model: ops, arena (ours vs TFLM), and whether every operator
output and the final outputs are byte-identical to TFLM's goldens."""
import json
import os
import subprocess
import sys


def main():
    tool, shared = sys.argv[1], sys.argv[2]
    goldens = json.load(open(os.path.join(shared, "reference", "tflm_goldens.json")))["models"]
    print(f"{'model':<26} {'ops':>4} {'arena B':>9} {'TFLM B':>9} {'saved':>7}  {'per-op':<9} {'outputs':<8}")
    failures = 0
    for name in sorted(goldens):
        path = os.path.join(shared, "models", name + ".tflite")
        g = goldens[name]
        proc = subprocess.run([tool, "run", path, "--pattern", "tflm", "--trace", "--json"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
            expected = not g.get("runs_on_tflm") or name.startswith("audio_preprocessor")
            print(f"{name:<26} {'-':>4} {'-':>9} {'-':>9} {'-':>7}  rejected ({'expected' if expected else 'UNEXPECTED'}): "
                  f"{reason.replace('tinyforge: error: ', '')[:110]}")
            failures += 0 if expected else 1
            continue
        out = json.loads(proc.stdout)
        per_op = g["per_op_output_fnv1a64"]
        ops_ok = len(out["ops"]) == len(per_op) and all(
            a["fnv1a64"] == b["fnv1a64"] for a, b in zip(out["ops"], per_op))
        outs_ok = out["output_fnv1a64"] == g["output_fnv1a64"]
        tflm = g["tflm_arena_used_bytes_x86_64"]
        ours = out["arena_bytes"]
        print(f"{name:<26} {len(out['ops']):>4} {ours:>9} {tflm:>9} {100 * (tflm - ours) / tflm:>6.1f}%  "
              f"{'identical' if ops_ok else 'DIFFERENT':<9} {'identical' if outs_ok else 'DIFFERENT':<8}")
        failures += 0 if (ops_ok and outs_ok and ours <= tflm) else 1
    print("all runnable models match TFLite Micro byte for byte" if failures == 0 else f"{failures} model(s) differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
