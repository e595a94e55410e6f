/* startup.c -- Cortex-M4F startup for QEMU mps2-an386 (from shared/notes/mcu-emulation.md).
 * Vector table + Reset_Handler: FPU enable, .data copy, .bss zero, TLS, ctors, main, exit. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __stack_top[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern char __tls_base[];
extern void (*__preinit_array_start[])(void), (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
extern void _set_tls(void*); /* picolibc: points the thread pointer at the TLS block (errno) */
int main(void);

static void sh_exit_code(int code) {
  /* SYS_EXIT_EXTENDED (0x20): {reason = ADP_Stopped_ApplicationExit, subcode = code}. */
  uint32_t block[2] = {0x20026u, (uint32_t)code};
  register uint32_t r0 __asm__("r0") = 0x20;
  register uint32_t* r1 __asm__("r1") = block;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  for (;;) {}
}

static void sh_puts(const char* s) { /* SYS_WRITE0 (0x04) */
  register uint32_t r0 __asm__("r0") = 0x04;
  register const char* r1 __asm__("r1") = s;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void Fault_Handler(void) { /* any fault -> message + exit 127 instead of a silent hang */
  sh_puts("*** fault/unexpected exception\n");
  sh_exit_code(127);
}

__attribute__((noreturn)) void Reset_Handler(void) {
#if defined(__ARM_FP)
  *(volatile uint32_t*)0xE000ED88 |= 0xFu << 20; /* CPACR: CP10/CP11 full access */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
  for (uint32_t* d = __bss_start; d < __bss_end;) *d++ = 0;
  _set_tls(__tls_base);
  for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  exit(main()); /* picolibc libsemihost: _exit -> SYS_EXIT(_EXTENDED) */
}

__attribute__((section(".isr_vector"), used)) void* const g_vectors[16] = {
    __stack_top,   (void*)Reset_Handler, (void*)Fault_Handler /*NMI*/, (void*)Fault_Handler /*HardFault*/,
    (void*)Fault_Handler /*MemManage*/, (void*)Fault_Handler /*BusFault*/, (void*)Fault_Handler /*UsageFault*/,
    0, 0, 0, 0,    (void*)Fault_Handler /*SVC*/, (void*)Fault_Handler /*DebugMon*/, 0,
    (void*)Fault_Handler /*PendSV*/, (void*)Fault_Handler /*SysTick*/,
};
