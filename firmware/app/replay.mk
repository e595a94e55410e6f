# Builds the portable part of a generated ESP-IDF project (tinyforge deploy esp-idf) as a
# bare-metal replay image for an emulated MCU. Driven by build_replay.sh:
#   make -f replay.mk TARGET=rv32imc|lx106|cortex-m4 PROJECT=dir OUT=dir
# Sources come from the generated project (components/tinyforge_micro, components/tinyforge_app,
# main/model_data.cc, main/replay_samples.cc), so the test exercises the files a user flashes.
FW      := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
OPT     ?= -O2

ifeq ($(TARGET),cortex-m4)
  PREFIX  := arm-none-eabi-
  ARCH    := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
  SPECS   := --specs=picolibc.specs
  OSLIB   := --oslib=semihost
  STARTUP := $(FW)/cortex-m4/startup.c
  LDSCRIPT := $(FW)/cortex-m4/cm.ld
else ifeq ($(TARGET),rv32imc)
  PREFIX  := riscv64-unknown-elf-
  ARCH    := -march=rv32imc -mabi=ilp32
  SPECS   := --specs=picolibc.specs
  OSLIB   := --oslib=semihost
  STARTUP := $(FW)/rv32imc/start.S $(FW)/rv32imc/crt.c
  LDSCRIPT := $(FW)/rv32imc/rv32.ld
else ifeq ($(TARGET),lx106)
  PREFIX  := xtensa-lx106-elf-
  ARCH    := -mlongcalls
  SPECS   := --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
  OSLIB   :=
  STARTUP := $(FW)/lx106/start.S $(FW)/lx106/crt.c $(FW)/lx106/libgcc_shim.c $(FW)/lx106/softfloat_shim.c
  LDSCRIPT := $(FW)/lx106/lx106.ld
else
  $(error TARGET must be cortex-m4, rv32imc or lx106 (got '$(TARGET)'))
endif

CC  := $(PREFIX)gcc
CXX := $(PREFIX)g++

MICRO := $(PROJECT)/components/tinyforge_micro
APP   := $(PROJECT)/components/tinyforge_app
INC   := -I$(MICRO)/include -I$(APP)/include -I$(PROJECT)/main -I$(FW)/$(TARGET)
# The same warnings as firmware/ (the app core follows micro/'s rules).
COMMON   := $(ARCH) $(SPECS) $(OPT) -g -ffunction-sections -fdata-sections -ffp-contract=off -MMD -MP
CXXFLAGS := $(COMMON) -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit \
            -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter $(INC)
CFLAGS   := $(COMMON) -std=c11 -Wall -Wextra -Werror

SRCS := $(sort $(wildcard $(MICRO)/src/*.cc $(MICRO)/src/kernels/*.cc $(APP)/src/*.cc)) \
        $(PROJECT)/main/model_data.cc $(PROJECT)/main/replay_samples.cc
OBJS := $(patsubst $(PROJECT)/%.cc,$(OUT)/obj/%.o,$(SRCS)) $(OUT)/obj/harness/app_replay_main.o \
        $(OUT)/obj/harness/cxx_stubs.o
STARTUP_OBJS := $(patsubst $(FW)/$(TARGET)/%,$(OUT)/obj/startup/%.o,$(STARTUP))
ELF := $(OUT)/app_replay.elf

.PHONY: elf
elf: $(ELF)

$(OUT)/obj/%.o: $(PROJECT)/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -I$(MICRO)/src -c $< -o $@
$(OUT)/obj/harness/app_replay_main.o: $(FW)/app/qemu/app_replay_main.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@
$(OUT)/obj/harness/cxx_stubs.o: $(FW)/common/cxx_stubs.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@
$(OUT)/obj/startup/%.S.o: $(FW)/$(TARGET)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(ARCH) -c $< -o $@
$(OUT)/obj/startup/%.c.o: $(FW)/$(TARGET)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-parameter -c $< -o $@

$(ELF): $(STARTUP_OBJS) $(OBJS) $(LDSCRIPT)
	$(CC) $(ARCH) $(SPECS) $(OSLIB) -nostartfiles -T $(LDSCRIPT) -Wl,--gc-sections -Wl,-Map=$(ELF:.elf=.map) \
	  -Wl,--defsym=__stack_size=0x10000 -DPICOLIBC_INTEGER_PRINTF_SCANF \
	  $(STARTUP_OBJS) $(OBJS) -lm -o $@
	$(PREFIX)size $@

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
