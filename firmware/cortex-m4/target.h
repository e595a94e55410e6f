// Cortex-M4F under QEMU mps2-an386: name and region markers for the insn_region plugin.
// The markers are architectural no-ops ("mov r11, r11" / "mov r10, r10") the plugin recognises.
#pragma once
#define FW_TARGET_NAME "cortex-m4"
static inline void fw_mark_start(void) { __asm__ volatile(".hword 0x46db" ::: "memory"); }
static inline void fw_mark_stop(void) { __asm__ volatile(".hword 0x46d2" ::: "memory"); }
