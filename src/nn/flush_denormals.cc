#include "nn/flush_denormals.h"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define TINYFORGE_HAVE_MXCSR 1
#endif

namespace tinyforge::nn {

#if defined(TINYFORGE_HAVE_MXCSR)
namespace {
// MXCSR bits: FTZ (results that would be denormal become 0) and DAZ (denormal inputs read as 0).
constexpr uint32_t kFlushToZero = 1u << 15;
constexpr uint32_t kDenormalsAreZero = 1u << 6;
constexpr uint32_t kFlushBits = kFlushToZero | kDenormalsAreZero;
}  // namespace

ScopedFlushDenormals::ScopedFlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushBits); }
// Only the two flush bits go back: exception flags raised meanwhile stay as they are.
ScopedFlushDenormals::~ScopedFlushDenormals() { _mm_setcsr((_mm_getcsr() & ~kFlushBits) | (saved_ & kFlushBits)); }
bool flushing_denormals() { return (_mm_getcsr() & kFlushBits) == kFlushBits; }
void set_flushing_denormals(bool on) { _mm_setcsr(on ? (_mm_getcsr() | kFlushBits) : (_mm_getcsr() & ~kFlushBits)); }
#else
ScopedFlushDenormals::ScopedFlushDenormals() = default;
ScopedFlushDenormals::~ScopedFlushDenormals() = default;
bool flushing_denormals() { return false; }
void set_flushing_denormals(bool) {}
#endif

}  // namespace tinyforge::nn
