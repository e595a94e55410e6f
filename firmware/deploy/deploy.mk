# Makefile of a bare-metal deployment directory (written by `tinyforge deploy baremetal` as DIR/Makefile).
#   make -j2          -> $(NAME).elf (micro/ + the sample replay runner + the model)
#   make plugin       -> qemu_plugin/insn_region.so (host cc), used by run.sh to count instructions
# Everything is relative to this directory, so the directory can be moved; config.mk names the
# target and the image. Flags as in firmware/firmware.mk (micro/ with -Werror).
include config.mk

FW    := src/firmware
MICRO := src/micro
OPT   := -O2

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
  # picolibc's specs for xtensa is not on GCC's search path; crt.c has the simcall glue.
  SPECS   := --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
  OSLIB   :=
  # Integer and IEEE float helpers missing from Debian's lx106 libgcc.
  STARTUP := $(FW)/lx106/start.S $(FW)/lx106/crt.c $(FW)/lx106/libgcc_shim.c $(FW)/lx106/softfloat_shim.c
  LDSCRIPT := $(FW)/lx106/lx106.ld
else
  $(error TARGET must be cortex-m4, rv32imc or lx106 (got '$(TARGET)'))
endif

CC  := $(PREFIX)gcc
CXX := $(PREFIX)g++
AR  := $(PREFIX)ar

# The directory quoted for the shell (a ' in it becomes '\'').
QUOTED_CURDIR := $(subst ','\'',$(CURDIR))
# -ffp-contract=off: no fused multiply-add, so float results match the host bit for bit.
# -ffile-prefix-map: no absolute build path in the image, so the same inputs give the same bytes.
COMMON   := $(ARCH) $(SPECS) $(OPT) -g -ffunction-sections -fdata-sections -ffp-contract=off -MMD -MP \
            '-ffile-prefix-map=$(QUOTED_CURDIR)=.'
CXXFLAGS := $(COMMON) -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit \
            -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -I$(MICRO)/include
CFLAGS   := $(COMMON) -std=c11 -Wall -Wextra -Werror

MICRO_SRCS := $(sort $(wildcard $(MICRO)/src/*.cc)) $(sort $(wildcard $(MICRO)/src/kernels/*.cc))
MICRO_OBJS := $(patsubst $(MICRO)/src/%.cc,build/micro/%.o,$(MICRO_SRCS))
LIB        := build/libtinyforge_micro.a
RUNNER_INC := -I$(FW)/deploy -I$(FW)/$(TARGET) -Igen
RUNNER_OBJS := build/runner/deploy_main.o build/runner/g_model.o build/runner/samples.o build/runner/cxx_stubs.o
STARTUP_OBJS := $(patsubst $(FW)/$(TARGET)/%,build/startup/%.o,$(STARTUP))
ELF := $(NAME).elf

.PHONY: all lib plugin
all: $(ELF)
lib: $(LIB)
plugin: qemu_plugin/insn_region.so

build/micro/%.o: $(MICRO)/src/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -I$(MICRO)/src -c $< -o $@

$(LIB): $(MICRO_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(MICRO_OBJS)

build/runner/deploy_main.o: $(FW)/deploy/deploy_main.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RUNNER_INC) -c $< -o $@
build/runner/g_model.o: gen/g_model.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RUNNER_INC) -c $< -o $@
build/runner/samples.o: gen/samples.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(FW)/deploy -c $< -o $@
build/runner/cxx_stubs.o: $(FW)/common/cxx_stubs.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@
build/startup/%.S.o: $(FW)/$(TARGET)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(ARCH) -c $< -o $@
build/startup/%.c.o: $(FW)/$(TARGET)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-parameter -c $< -o $@

# Link with gcc, not g++: RISC-V and Xtensa have no libstdc++ (micro/ needs none).
# The model's kernels are named by g_model_register_ops(), so only they leave the archive.
$(ELF): $(STARTUP_OBJS) $(RUNNER_OBJS) $(LIB) $(LDSCRIPT)
	$(CC) $(ARCH) $(SPECS) $(OSLIB) -nostartfiles -T $(LDSCRIPT) -Wl,--gc-sections -Wl,-Map=$(NAME).map \
	  -Wl,--defsym=__stack_size=0x10000 -DPICOLIBC_INTEGER_PRINTF_SCANF \
	  $(STARTUP_OBJS) $(RUNNER_OBJS) $(LIB) -lm -o $@
	$(PREFIX)size $@

qemu_plugin/insn_region.so: $(FW)/qemu_plugin/insn_region.c
	@mkdir -p $(dir $@)
	cc -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden -o $@ $<

-include $(shell find build -name '*.d' 2>/dev/null)
