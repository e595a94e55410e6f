#!/bin/sh
# Builds the portable part of a generated ESP-IDF project as a bare-metal replay image.
#   firmware/app/build_replay.sh TARGET PROJECT_DIR OUTDIR   -> OUTDIR/app_replay.elf
# TARGET: rv32imc (ESP32-C3's instruction set), lx106 (Xtensa), cortex-m4.
# Run it with firmware/run.sh TARGET OUTDIR/app_replay.elf. Environment: OPT, JOBS, VERBOSE=1.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 3 ]; then
  echo "usage: $0 rv32imc|lx106|cortex-m4 PROJECT_DIR OUTDIR" >&2
  exit 2
fi
target=$1 project=$2 out=$3
case $target in
  cortex-m4) cc=arm-none-eabi-gcc ;;
  rv32imc) cc=riscv64-unknown-elf-gcc ;;
  lx106) cc=xtensa-lx106-elf-gcc ;;
  *) echo "build_replay.sh: unknown target '$target' (rv32imc, lx106, cortex-m4)" >&2; exit 2 ;;
esac
for tool in "$cc" make; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build_replay.sh: required tool '$tool' not found in PATH" >&2; exit 3; }
done
for f in components/tinyforge_micro/include components/tinyforge_app/include main/model_data.cc main/replay_samples.cc main/app_config.h; do
  [ -e "$project/$f" ] || { echo "build_replay.sh: '$project' is not a generated ESP-IDF project (no $f)" >&2; exit 2; }
done
mkdir -p "$out"
project=$(cd "$project" && pwd)
out=$(cd "$out" && pwd)
quiet=-s
[ -n "${VERBOSE:-}" ] && quiet=
exec make -f "$HERE/replay.mk" $quiet -j"${JOBS:-2}" TARGET="$target" PROJECT="$project" OUT="$out" OPT="${OPT:--O2}" elf
