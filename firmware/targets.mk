# The three bare-metal targets: cross toolchain, startup files, linker script and the flags every
# image is built with. Included by firmware.mk (host-side model runner), deploy/deploy.mk (the
# Makefile of `tinyforge deploy baremetal`, where it sits at src/firmware/targets.mk) and
# app/replay.mk (the ESP-IDF project's portable part). The includer sets FW (this directory),
# TARGET and OPT first.

ifeq ($(TARGET),cortex-m4)
  PREFIX  := arm-none-eabi-
  ARCH    := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
  SPECS   := --specs=picolibc.specs
  OSLIB   := --oslib=semihost
  STARTUP := $(FW)/cortex-m4/startup.c
  LDSCRIPT := $(FW)/cortex-m4/cm.ld
else ifeq ($(TARGET),rv32imc)
  PREFIX  := riscv64-unknown-elf-
  # Plain rv32imc (an _zicsr suffix would select the rv64 multilib); csr asm uses .option arch.
  ARCH    := -march=rv32imc -mabi=ilp32
  SPECS   := --specs=picolibc.specs
  OSLIB   := --oslib=semihost
  STARTUP := $(FW)/rv32imc/start.S $(FW)/rv32imc/crt.c
  LDSCRIPT := $(FW)/rv32imc/rv32.ld
else ifeq ($(TARGET),lx106)
  PREFIX  := xtensa-lx106-elf-
  ARCH    := -mlongcalls
  # picolibc's specs for xtensa is not on GCC's search path; it has no semihosting lib (crt.c has simcall glue).
  SPECS   := --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
  OSLIB   :=
  # libgcc_shim.c / softfloat_shim.c: integer and IEEE float helpers missing from Debian's lx106 libgcc.
  STARTUP := $(FW)/lx106/start.S $(FW)/lx106/crt.c $(FW)/lx106/libgcc_shim.c $(FW)/lx106/softfloat_shim.c
  LDSCRIPT := $(FW)/lx106/lx106.ld
else
  $(error TARGET must be cortex-m4, rv32imc or lx106 (got '$(TARGET)'))
endif

CC  := $(PREFIX)gcc
CXX := $(PREFIX)g++
AR  := $(PREFIX)ar

# -ffp-contract=off: no fused multiply-add, so float results match TFLM's host build bit for bit.
TARGET_COMMON := $(ARCH) $(SPECS) $(OPT) -g -ffunction-sections -fdata-sections -ffp-contract=off -MMD -MP
# micro/'s rules (C++17, no exceptions, RTTI or static-init guards), warnings as errors.
TARGET_CXX := -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit \
              -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
TARGET_C := -std=c11 -Wall -Wextra -Werror

# Link with gcc, not g++: RISC-V and Xtensa have no libstdc++ (micro/ needs none).
# -DPICOLIBC_INTEGER_PRINTF_SCANF on the link line selects picolibc's small printf.
TARGET_LINK := $(ARCH) $(SPECS) $(OSLIB) -nostartfiles -T $(LDSCRIPT) -Wl,--gc-sections \
               -Wl,--defsym=__stack_size=0x10000 -DPICOLIBC_INTEGER_PRINTF_SCANF
