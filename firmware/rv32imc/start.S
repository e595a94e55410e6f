/* start.S -- minimal RV32 M-mode entry for QEMU virt (-bios none): gp, sp, mtvec, then C. */
    .option arch, +zicsr     /* csrw under plain -march=rv32imc (Zicsr is separate in GCC 12) */
    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la    gp, __global_pointer$
    .option pop
    la    sp, __stack_top
    la    t0, trap_entry
    csrw  mtvec, t0
    call  _start_c          /* never returns */
1:  j     1b

    .balign 4
trap_entry:                  /* any exception/interrupt: report and exit(127) via semihosting */
    la    sp, __stack_top
    call  trap_c
2:  j     2b

/* int32_t sh_call(int32_t op, void *arg): RISC-V semihosting trap. The three instructions
 * must be uncompressed and in the same page, hence norvc + alignment. */
    .globl sh_call
    .balign 16
sh_call:
    .option push
    .option norvc
    slli  zero, zero, 0x1f
    ebreak
    srai  zero, zero, 7
    .option pop
    ret
