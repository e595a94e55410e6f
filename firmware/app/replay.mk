# Builds the portable part of a generated ESP-IDF project (tinyforge deploy esp-idf) as a
# bare-metal replay image for an emulated MCU. Driven by build_replay.sh:
#   make -f replay.mk TARGET=rv32imc|lx106|cortex-m4 PROJECT=dir OUT=dir
# Sources come from the generated project (components/tinyforge_micro, components/tinyforge_app,
# main/model_data.cc, main/replay_samples.cc), so the test exercises the files a user flashes.
FW      := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
OPT     ?= -O2

include $(FW)/targets.mk

MICRO := $(PROJECT)/components/tinyforge_micro
APP   := $(PROJECT)/components/tinyforge_app
INC   := -I$(MICRO)/include -I$(APP)/include -I$(PROJECT)/main -I$(FW)/$(TARGET)
# The same flags as firmware/ (the app core follows micro/'s rules).
CXXFLAGS := $(TARGET_COMMON) $(TARGET_CXX) $(INC)
CFLAGS   := $(TARGET_COMMON) $(TARGET_C)

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
	$(CC) $(TARGET_LINK) -Wl,-Map=$(ELF:.elf=.map) $(STARTUP_OBJS) $(OBJS) -lm -o $@
	$(PREFIX)size $@

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
