/* insn_region.c -- QEMU TCG plugin (API v1, QEMU 7.2): exact guest instruction counts,
 * total and for marked regions (from shared/notes/mcu-emulation.md, Appendix D).
 * Markers are no-op instructions the guest executes (see firmware/<target>/target.h):
 *   ARM Thumb : start = "mov r11, r11" (0x46db), stop = "mov r10, r10" (0x46d2)
 *   RISC-V    : start = "addi x0, x0, 1" (0x00100013), stop = "addi x0, x0, 2" (0x00200013)
 *   Xtensa    : start = "or a14, a14, a14" (bytes e0 ee 20), stop = "or a15, a15, a15" (f0 ff 20)
 * Each start..stop pair prints "region <n>: <count>" (instructions executed after the
 * start marker up to, not including, the stop marker; markers themselves excluded).
 * Usage: -plugin /path/insn_region.so[,out=/path/file]   (default: stderr)
 * Only our own declarations of the stable plugin C ABI are used; no QEMU header needed. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct {
  const char* target_name;
  struct { int min, cur; } version;
  bool system_emulation;
  union { struct { int smp_vcpus, max_vcpus; } system; };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum { CB_NO_REGS = 0 };
enum { INLINE_ADD_U64 = 0 };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, struct qemu_plugin_tb*));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb*);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb*, size_t);
const void* qemu_plugin_insn_data(const struct qemu_plugin_insn*);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn*);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn*, int op, void* ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn*, void (*)(unsigned, void*), int flags, void*);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, void*), void*);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

static uint64_t g_total;        /* every executed guest instruction (single vCPU assumed) */
static uint64_t g_start;        /* g_total at the last start marker */
static unsigned g_region;
static FILE* g_out;

static void on_start(unsigned vcpu, void* u) { (void)vcpu; (void)u; g_start = g_total; }
static void on_stop(unsigned vcpu, void* u) {
  (void)vcpu; (void)u;
  /* Inline counters of both markers ran before their callbacks: subtract the start marker. */
  fprintf(g_out, "region %u: %llu\n", g_region++, (unsigned long long)(g_total - g_start - 1));
  fflush(g_out);
}

/* Which marker set applies: each ISA's markers are ordinary instructions on another ISA
 * (0x46d2, ARM's stop marker, is c.lwsp on RISC-V), so only the guest's own set is matched. */
enum Isa { ISA_ARM, ISA_RISCV, ISA_XTENSA, ISA_OTHER };
static enum Isa g_isa = ISA_OTHER;

static int marker_kind(const struct qemu_plugin_insn* insn) {
  uint8_t b[4] = {0};
  size_t n = qemu_plugin_insn_size(insn);
  memcpy(b, qemu_plugin_insn_data(insn), n < 4 ? n : 4);
  if (n == 2 && g_isa == ISA_ARM) {
    uint16_t h = (uint16_t)(b[0] | b[1] << 8);
    return h == 0x46db ? 1 : h == 0x46d2 ? 2 : 0;
  }
  if (n == 3 && g_isa == ISA_XTENSA) {
    uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
    return w == 0x20eee0u ? 1 : w == 0x20fff0u ? 2 : 0;
  }
  if (n == 4 && g_isa == ISA_RISCV) {
    uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return w == 0x00100013u ? 1 : w == 0x00200013u ? 2 : 0;
  }
  return 0;
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    qemu_plugin_register_vcpu_insn_exec_inline(insn, INLINE_ADD_U64, &g_total, 1);
    switch (marker_kind(insn)) {
      case 1: qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, CB_NO_REGS, NULL); break;
      case 2: qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, CB_NO_REGS, NULL); break;
    }
  }
}

static void on_exit(qemu_plugin_id_t id, void* u) {
  (void)id; (void)u;
  fprintf(g_out, "total insns: %llu\n", (unsigned long long)g_total);
  fflush(g_out);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  g_out = stderr;
  for (int i = 0; i < argc; i++)
    if (strncmp(argv[i], "out=", 4) == 0 && !(g_out = fopen(argv[i] + 4, "w"))) return -1;
  if (strncmp(info->target_name, "arm", 3) == 0) g_isa = ISA_ARM;
  else if (strncmp(info->target_name, "riscv", 5) == 0) g_isa = ISA_RISCV;
  else if (strncmp(info->target_name, "xtensa", 6) == 0) g_isa = ISA_XTENSA;
  else fprintf(stderr, "insn_region: no markers known for target %s; counting totals only\n", info->target_name);
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
  qemu_plugin_register_atexit_cb(id, on_exit, NULL);
  return 0;
}
