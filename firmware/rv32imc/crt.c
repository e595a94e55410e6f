/* crt.c -- C part of the RV32 startup: .data copy, .bss zero, TLS, ctors, main, exit. */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern char __tls_base[];
extern void (*__preinit_array_start[])(void), (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
extern void _set_tls(void*); /* picolibc: tp = TLS block (errno lives there) */
extern int32_t sh_call(int32_t op, void* arg);
int main(void);

void trap_c(void) {
  uint32_t mcause, mepc;
  __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, mcause\ncsrr %1, mepc\n.option pop"
                   : "=r"(mcause), "=r"(mepc));
  (void)mepc;
  sh_call(0x04, (void*)"*** trap (see mcause/mepc in a debugger)\n"); /* SYS_WRITE0 */
  uint32_t block[2] = {0x20026u, 127u}; /* SYS_EXIT_EXTENDED: ApplicationExit, status 127 */
  sh_call(0x20, block);
  for (;;) {}
}

__attribute__((noreturn)) void _start_c(void) {
  for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
  for (uint32_t* d = __bss_start; d < __bss_end;) *d++ = 0;
  _set_tls(__tls_base);
  for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  exit(main()); /* picolibc libsemihost: _exit -> semihosting SYS_EXIT */
}
