#!/bin/sh
# Runs a deployment's image under QEMU with the instruction-counting plugin (DIR/run.sh, written
# by `tinyforge deploy baremetal`; the target and image name come from DIR/config.mk).
# Prints the image's lines with each inference's exact instruction count appended:
#   sample=<i> <prediction> output_fnv1a64=<hash> insns=<instructions of that invoke>
# then insns_allocate=<n>, insns_sample<i>=<n> and insns_total=<n> (as src/firmware/run.sh).
# Exit status: the image's (0 = every sample ran), 124 on timeout; see src/firmware/run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
target=$(sed -n 's/^TARGET := //p' "$here/config.mk")
name=$(sed -n 's/^NAME := //p' "$here/config.mk")
out=$(mktemp) || exit 3
trap 'rm -f "$out"' EXIT
status=0
"$here/src/firmware/run.sh" "$target" "$here/$name.elf" > "$out" || status=$?
# First pass: the counts; second pass: the lines, counts joined onto their sample lines.
awk 'FNR == NR { if ($0 ~ /^insns_sample[0-9]+=/) { split(substr($0, 13), kv, "="); count[kv[1]] = kv[2] } next }
     /^region [0-9]+ / { next }
     /^sample=[0-9]+ / { split($1, s, "="); if (s[2] in count) { print $0 " insns=" count[s[2]]; next } }
     { print }' "$out" "$out"
exit "$status"
