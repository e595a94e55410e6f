# Cross-builds micro/ and the model runner for one target. Driven by build.sh:
#   make -f firmware.mk TARGET=cortex-m4|rv32imc|lx106 OUT=dir [MODEL=file.tflite] [ALL_OPS=1] lib|elf
# Objects and the library are shared by every model built into the same OUT.
FW      := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
ROOT    := $(abspath $(FW)/..)
OPT     ?= -O2
ARENA   ?= 393216

include $(FW)/targets.mk

CXXFLAGS := $(TARGET_COMMON) $(TARGET_CXX) -I$(ROOT)/micro/include
# MICRO_EXTRA: development-only extra flags for micro/ (e.g. to get past a warning while it is fixed).
MICRO_CXXFLAGS := $(CXXFLAGS) -I$(ROOT)/micro/src $(MICRO_EXTRA)
CFLAGS   := $(TARGET_COMMON) $(TARGET_C)

MICRO_SRCS := $(sort $(wildcard $(ROOT)/micro/src/*.cc)) $(sort $(wildcard $(ROOT)/micro/src/kernels/*.cc))
MICRO_OBJS := $(patsubst $(ROOT)/micro/src/%.cc,$(OUT)/obj/micro/%.o,$(MICRO_SRCS))
LIB        := $(OUT)/libtinyforge_micro.a

# Rebuild everything when the flags change (the stamp is rewritten only when they differ).
STAMP := $(OUT)/flags.stamp
FLAGS_NOW := $(CXX) $(MICRO_CXXFLAGS) | $(CC) $(CFLAGS)
$(shell mkdir -p $(OUT) && (test -f $(STAMP) && test "$$(cat $(STAMP))" = '$(FLAGS_NOW)' || printf '%s' '$(FLAGS_NOW)' > $(STAMP)))

.PHONY: lib elf
lib: $(LIB)

$(OUT)/obj/micro/%.o: $(ROOT)/micro/src/%.cc $(STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(MICRO_CXXFLAGS) -c $< -o $@

# Drop members of deleted sources: rebuild the archive from scratch.
$(LIB): $(MICRO_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(MICRO_OBJS)

ifneq ($(MODEL),)
# --all-ops builds are named apart so switching modes never reuses the other mode's files.
NAME    := $(basename $(notdir $(MODEL)))$(if $(ALL_OPS),-all-ops,)
GEN     := $(OUT)/gen/$(NAME)
ELF     := $(OUT)/$(NAME).elf
OPSFLAG := $(if $(ALL_OPS),--all-ops,)
RUNNER_OBJS := $(OUT)/obj/runner/$(NAME)/runner_main.o $(OUT)/obj/runner/$(NAME)/model_ops.o \
               $(OUT)/obj/runner/$(NAME)/model_data.o $(OUT)/obj/runner/cxx_stubs.o
STARTUP_OBJS := $(patsubst $(FW)/$(TARGET)/%,$(OUT)/obj/startup/%.o,$(STARTUP))
# --all-ops: register_all_kernels() only refers to kernels weakly, which pulls nothing out of
# an archive, so take the whole library (--gc-sections still drops what stays unreferenced).
LIBLINK := $(if $(ALL_OPS),-Wl,--whole-archive $(LIB) -Wl,--no-whole-archive,$(LIB))
RUNNER_INC := -I$(FW)/common -I$(FW)/$(TARGET) -I$(GEN)

elf: $(ELF)

$(GEN)/model_data.c $(GEN)/model_ops.cc &: $(MODEL) $(FW)/tools/model_to_c.py $(ROOT)/micro/include/tinyforge/micro/kernels.h $(ROOT)/micro/include/tinyforge/micro/types.h
	python3 $(FW)/tools/model_to_c.py $(MODEL) $(GEN) $(OPSFLAG)

$(OUT)/obj/runner/$(NAME)/runner_main.o: $(FW)/common/runner_main.cc $(STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RUNNER_INC) -DFW_ARENA_BYTES=$(ARENA) -c $< -o $@
$(OUT)/obj/runner/$(NAME)/model_ops.o: $(GEN)/model_ops.cc $(STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RUNNER_INC) -c $< -o $@
$(OUT)/obj/runner/$(NAME)/model_data.o: $(GEN)/model_data.c $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@
$(OUT)/obj/runner/cxx_stubs.o: $(FW)/common/cxx_stubs.cc $(STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@
$(OUT)/obj/startup/%.S.o: $(FW)/$(TARGET)/%.S $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ARCH) -c $< -o $@
$(OUT)/obj/startup/%.c.o: $(FW)/$(TARGET)/%.c $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-parameter -c $< -o $@

$(ELF): $(STARTUP_OBJS) $(RUNNER_OBJS) $(LIB) $(LDSCRIPT)
	$(CC) $(TARGET_LINK) -Wl,-Map=$(ELF:.elf=.map) $(STARTUP_OBJS) $(RUNNER_OBJS) $(LIBLINK) -lm -o $@
	$(PREFIX)size $@
endif

-include $(shell find $(OUT)/obj -name '*.d' 2>/dev/null)
