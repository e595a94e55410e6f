#!/usr/bin/env python3
"""The end of scripts/demo: one short table from the JSON files the demo's commands wrote.
Exits non-zero when an emulated MCU disagreed with the host or failed."""
import json
import os
import sys


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def main():
    out = sys.argv[1]
    f32, i8 = load(out, "convert_float.json"), load(out, "convert_int8.json")
    cmp = load(out, "compare.json")
    worst = min(cmp["layers"], key=lambda l: l["sqnr_db"]) if cmp.get("layers") else None
    print(f"accuracy (10,000 test images, micro runtime): float32 {cmp['a']['accuracy']:.4f}, "
          f"int8 {cmp['b']['accuracy']:.4f} ({100 * (cmp['b']['accuracy'] - cmp['a']['accuracy']):+.2f} points); "
          f"same prediction on {100 * cmp['agreement']:.2f}%")
    if worst:
        print(f"lowest per-layer SQNR: {worst['sqnr_db']:.1f} dB at op {worst['op']} {worst['opcode']} '{worst['name_b']}'")
    print(f"model bytes: float32 {f32['bytes']:,}, int8 {i8['bytes']:,} ({i8['bytes'] / f32['bytes']:.3f}x)")
    print(f"arena bytes (exact, stored in the model): float32 {f32['arena_bytes']:,}, int8 {i8['arena_bytes']:,}")
    failed = False
    for target in ("cortex-m4", "rv32imc"):
        d = load(out, f"{target}.json")
        run = d["run"]
        counts = [s["instructions"] for s in run["samples"]]
        ok = run["ok"] and run["differing"] == 0
        failed |= not ok
        print(f"{target:>9}: {len(counts)} test images, {sum(counts) // len(counts):,} instructions per inference "
              f"(exact, QEMU), image text {d['text_bytes']:,} B, "
              f"{'predictions equal the host' if ok else 'MISMATCH or failure: see ' + target + '.json'}")
    print(f"ESP-IDF project (ESP32-S3): {os.path.join(out, 'esp32s3-classify')}  (idf.py set-target esp32s3 && idf.py build flash monitor)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
