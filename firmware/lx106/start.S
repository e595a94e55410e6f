/* start.S -- minimal Xtensa (lx106, call0 ABI) entry for QEMU -M sim -cpu lx106.
 * QEMU resets the CPU after loading the ELF, so execution starts at the lx106 reset
 * vector 0x50000000 (sysrom0), not at the ELF entry: put a far jump there. */
    .section .reset, "ax"
    .global _reset
_reset:
    j       1f
    .align 4
.Lstart_addr:
    .word   _start
1:  l32r    a0, .Lstart_addr    /* L32R can only load literals placed before it */
    jx      a0

    .section .text.init, "ax"
    .literal_position
    .global _start
    .align 4
_start:
    movi    a1, __stack_top
    movi    a2, _vectors
    wsr     a2, vecbase
    movi    a2, 0x2f            /* PS: INTLEVEL=15 (irqs off), EXCM=0, UM=1 */
    wsr     a2, ps
    rsync
    call0   _start_c
1:  j       1b

/* Vector block: every vector slot jumps to fault_exit (simcall exit 127). */
    .section .text.vectors, "ax"
    .align 256
    .global _vectors
_vectors:
    .rept 16
    j       fault_exit
    .align 16
    .endr
fault_exit:
    movi    a2, 1               /* SYS_exit */
    movi    a3, 127
    simcall
2:  j       2b

/* int sim_call(int nr, int a, int b, int c): QEMU xtensa semihosting (simcall).
 * a2 = nr, a3..a5 = args; result in a2 (errno in a3). call0 ABI: args already in a2..a5. */
    .text
    .global sim_call
    .align 4
sim_call:
    simcall
    ret
