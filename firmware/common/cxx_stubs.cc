// The few C++ runtime symbols a no-heap, no-libstdc++ firmware still references.
// Virtual destructors emit deleting destructors that name operator delete even if no
// object is ever deleted; defining them here keeps malloc/free out of the image (on ARM
// libsupc++'s versions call free) and makes RISC-V/Xtensa (no libsupc++ at all) link.
#include <stddef.h>
#include <stdlib.h>

void operator delete(void*) noexcept {}
void operator delete(void*, size_t) noexcept {}

extern "C" void __cxa_pure_virtual() { abort(); }
