# Makefile of a bare-metal deployment directory (written by `tinyforge deploy baremetal` as DIR/Makefile).
#   make -j2          -> $(NAME).elf (micro/ + the sample replay runner + the model)
#   make plugin       -> qemu_plugin/insn_region.so (host cc), used by run.sh to count instructions
# Everything is relative to this directory, so the directory can be moved; config.mk names the
# target and the image; src/firmware/targets.mk the toolchain and flags (micro/ with -Werror).
include config.mk

FW    := src/firmware
MICRO := src/micro
OPT   := -O2

include $(FW)/targets.mk

# The directory quoted for the shell (a ' in it becomes '\'').
QUOTED_CURDIR := $(subst ','\'',$(CURDIR))
# -ffile-prefix-map: no absolute build path in the image, so the same inputs give the same bytes.
COMMON   := $(TARGET_COMMON) '-ffile-prefix-map=$(QUOTED_CURDIR)=.'
CXXFLAGS := $(COMMON) $(TARGET_CXX) -I$(MICRO)/include
CFLAGS   := $(COMMON) $(TARGET_C)

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

# The model's kernels are named by g_model_register_ops(), so only they leave the archive.
$(ELF): $(STARTUP_OBJS) $(RUNNER_OBJS) $(LIB) $(LDSCRIPT)
	$(CC) $(TARGET_LINK) -Wl,-Map=$(NAME).map $(STARTUP_OBJS) $(RUNNER_OBJS) $(LIB) -lm -o $@
	$(PREFIX)size $@

qemu_plugin/insn_region.so: $(FW)/qemu_plugin/insn_region.c
	@mkdir -p $(dir $@)
	cc -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden -o $@ $<

-include $(shell find build -name '*.d' 2>/dev/null)
