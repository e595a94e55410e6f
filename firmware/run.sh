#!/bin/sh
# Runs a firmware ELF under QEMU with the instruction-counting plugin.
#   firmware/run.sh TARGET ELF
# Prints the guest's output (stdout), then one "insns_<label>=<count>" line per region the
# guest labelled ("region <n> <label>" lines) and "insns_total=<count>". QEMU's own
# diagnostics go to stderr. Exit status: the guest's (0 = success), 124 on timeout,
# 3 when a tool is missing, 4 when the plugin's regions do not match the guest's labels. Environment: FW_TIMEOUT (seconds, default 300), FW_PLUGIN_DIR.
set -eu
FW=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 2 ]; then
  echo "usage: $0 cortex-m4|rv32imc|lx106 ELF" >&2
  exit 2
fi
target=$1 elf=$2
[ -f "$elf" ] || { echo "run.sh: ELF '$elf' not found" >&2; exit 2; }
case $target in
  cortex-m4)
    qemu=qemu-system-arm
    # Semihosting output on a chardev so it reaches our stdout (default would be stderr).
    args="-M mps2-an386 -display none -monitor none -serial none -chardev stdio,id=sh0
          -semihosting-config enable=on,target=native,chardev=sh0" ;;
  rv32imc)
    qemu=qemu-system-riscv32
    args="-M virt -bios none -cpu lowrisc-ibex -display none -monitor none -serial none -chardev stdio,id=sh0
          -semihosting-config enable=on,target=native,chardev=sh0" ;;
  lx106)
    qemu=qemu-system-xtensa
    # simcall writes go to QEMU's stdout directly.
    args="-M sim -cpu lx106 -display none -monitor none -serial none -semihosting" ;;
  *) echo "run.sh: unknown target '$target' (cortex-m4, rv32imc, lx106)" >&2; exit 2 ;;
esac
for tool in "$qemu" timeout cc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: required tool '$tool' not found in PATH" >&2; exit 3; }
done

# Build the plugin next to the ELF's directory tree when missing or stale.
plugin_dir=${FW_PLUGIN_DIR:-$(dirname "$elf")/qemu_plugin}
plugin=$plugin_dir/insn_region.so
src=$FW/qemu_plugin/insn_region.c
if [ ! -f "$plugin" ] || [ "$src" -nt "$plugin" ]; then
  mkdir -p "$plugin_dir"
  cc -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden -o "$plugin.tmp.$$" "$src"
  mv "$plugin.tmp.$$" "$plugin"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
# shellcheck disable=SC2086
timeout "${FW_TIMEOUT:-300}" "$qemu" $args -plugin "$plugin,out=$tmp/counts" -kernel "$elf" \
  > "$tmp/guest" || status=$?
cat "$tmp/guest"
[ "$status" = 124 ] && echo "run.sh: timed out after ${FW_TIMEOUT:-300} s" >&2
# Join "region <n> <label>" (guest) with "region <n>: <count>" (plugin).
if [ -f "$tmp/counts" ]; then
  awk 'FNR == NR { if ($1 == "region" && $2 ~ /^[0-9]+:$/) { sub(":", "", $2); count[$2] = $3 }
                   else if ($1 == "total") total = $3; next }
       $1 == "region" && ($2 in count) { print "insns_" $3 "=" count[$2] }
       END { if (total != "") print "insns_total=" total }' "$tmp/counts" "$tmp/guest"
  # Every region the plugin saw must be one the guest labelled (a stray marker would shift them all).
  seen=$(grep -c '^region [0-9]*:' "$tmp/counts" || true)
  labelled=$(grep -c '^region [0-9]* ' "$tmp/guest" || true)
  if [ "$seen" != "$labelled" ]; then
    echo "run.sh: the plugin counted $seen regions but the guest labelled $labelled: counts are unreliable" >&2
    [ "$status" = 0 ] && status=4
  fi
fi
exit "$status"
