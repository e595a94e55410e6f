/* crt.c -- C part of the Xtensa startup + picolibc glue over QEMU simcall semihosting. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
int sim_call(int nr, int a, int b, int c);
int main(void);

enum { SYS_exit = 1, SYS_write = 4 };

/* picolibc tinystdio: provide stdout/stderr ourselves (the package has no libsemihost for xtensa). */
static int sim_putc(char c, FILE* f) {
  (void)f;
  sim_call(SYS_write, 1, (int)(uintptr_t)&c, 1);
  return (unsigned char)c;
}
static FILE g_stdio = FDEV_SETUP_STREAM(sim_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE* const stdout = &g_stdio;
FILE* const stderr = &g_stdio;
FILE* const stdin = &g_stdio;

void _exit(int code) {
  sim_call(SYS_exit, code, 0, 0);
  for (;;) {}
}

__attribute__((noreturn)) void _start_c(void) {
  for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
  for (uint32_t* d = __bss_start; d < __bss_end;) *d++ = 0;
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  exit(main());
}
