#!/bin/sh
# Cross-compiles micro/ and the model runner into a bare-metal ELF.
#   firmware/build.sh TARGET MODEL.tflite OUTDIR              -> OUTDIR/<model>.elf (only the model's ops)
#   firmware/build.sh TARGET MODEL.tflite OUTDIR --all-ops    -> OUTDIR/<model>-all-ops.elf (every kernel)
#   firmware/build.sh TARGET --lib-only OUTDIR                   -> OUTDIR/libtinyforge_micro.a
# TARGET: cortex-m4 (QEMU mps2-an386), rv32imc (QEMU virt, lowrisc-ibex), lx106 (QEMU sim).
# micro/ is built with -Wall -Wextra -Werror; objects are reused between models in one OUTDIR.
# Environment: OPT (default -O2), ARENA (static arena bytes, default 393216), JOBS,
#   MICRO_EXTRA (extra flags for micro/ only, for local experiments; the tests clear it),
#   VERBOSE=1 (echo every command).
set -eu
FW=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 3 ]; then
  echo "usage: $0 cortex-m4|rv32imc|lx106 MODEL.tflite|--lib-only OUTDIR [--all-ops]" >&2
  exit 2
fi
target=$1 model=$2 out=$3
all_ops=
[ "${4:-}" = "--all-ops" ] && all_ops=1
case $target in
  cortex-m4) cc=arm-none-eabi-gcc ;;
  rv32imc) cc=riscv64-unknown-elf-gcc ;;
  lx106) cc=xtensa-lx106-elf-gcc ;;
  *) echo "build.sh: unknown target '$target' (cortex-m4, rv32imc, lx106)" >&2; exit 2 ;;
esac
for tool in "$cc" make; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: required tool '$tool' not found in PATH" >&2; exit 3; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
quiet=-s
[ -n "${VERBOSE:-}" ] && quiet=
set -- -f "$FW/firmware.mk" $quiet -j"$jobs" TARGET="$target" OUT="$out" OPT="${OPT:--O2}" ARENA="${ARENA:-393216}" MICRO_EXTRA="${MICRO_EXTRA:-}"
# Builds sharing one OUTDIR (parallel tests) take turns: they share the micro/ objects.
lock=
command -v flock >/dev/null 2>&1 && lock="flock $out/.build.lock"
if [ "$model" = "--lib-only" ]; then
  exec $lock make "$@" lib
fi
[ -f "$model" ] || { echo "build.sh: model file '$model' not found" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "build.sh: python3 (standard library only) is needed to embed the model" >&2; exit 3; }
model=$(cd "$(dirname "$model")" && pwd)/$(basename "$model")
exec $lock make "$@" MODEL="$model" ALL_OPS="$all_ops" elf
