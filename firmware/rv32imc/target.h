// RV32IMC (lowrisc-ibex) under QEMU virt: name and region markers for the insn_region plugin.
// The markers are HINT no-ops ("addi x0, x0, 1/2"), forced to their 32-bit encodings.
#pragma once
#define FW_TARGET_NAME "rv32imc"
static inline void fw_mark_start(void) { __asm__ volatile(".4byte 0x00100013" ::: "memory"); }
static inline void fw_mark_stop(void) { __asm__ volatile(".4byte 0x00200013" ::: "memory"); }
