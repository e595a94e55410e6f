// Xtensa lx106 under QEMU -M sim: name and region markers for the insn_region plugin.
// The markers are 24-bit no-ops ("or a14, a14, a14" / "or a15, a15, a15").
#pragma once
#define FW_TARGET_NAME "lx106"
static inline void fw_mark_start(void) { __asm__ volatile(".byte 0xe0, 0xee, 0x20" ::: "memory"); }
static inline void fw_mark_stop(void) { __asm__ volatile(".byte 0xf0, 0xff, 0x20" ::: "memory"); }
