/* softfloat_shim.c -- IEEE-754 helpers missing from Debian 12's gcc-xtensa-lx106 libgcc.a
 * (it has the float/double comparisons, __divsf3, __fixsfsi and the 64-bit conversions,
 * but not add/sub/mul, double division or the 32-bit conversions; see notes §3).
 *
 * Round to nearest, ties to even, with subnormals, infinities and NaNs, so results are
 * the bits an FPU would give. Everything is done in double: a single-precision + - * of
 * two floats computed exactly enough in double and rounded once to float is correctly
 * rounded (53 >= 2*24 + 2), so the float helpers are double operations plus one narrowing.
 * Integer-only code: nothing here may compile back into a call to one of these helpers. */
#include <stdint.h>
#include <string.h>

typedef union { double d; uint64_t u; } F64;
typedef union { float f; uint32_t u; } F32;

#define F64_NAN 0x7ff8000000000000ull
#define F32_NAN 0x7fc00000u

static uint64_t bits64(double d) { F64 v; v.d = d; return v.u; }
static double from64(uint64_t u) { F64 v; v.u = u; return v.d; }
static uint32_t bits32(float f) { F32 v; v.f = f; return v.u; }
static float from32(uint32_t u) { F32 v; v.u = u; return v.f; }

static int clz64(uint64_t x) { return __builtin_clzll(x); }

/* x >> n, with any 1 bits shifted out ORed into bit 0 ("jamming": keeps the sticky bit). */
static uint64_t shift_right_jam64(uint64_t x, int n) {
  if (n <= 0) return x;
  if (n >= 64) return x != 0;
  return (x >> n) | ((x << (64 - n)) != 0);
}

/* Rounds and packs sign * sig * 2^(exp - 1084), sig having its leading 1 at bit 62
 * (so sig >> 10 is the 53-bit significand and the low 10 bits are round/sticky bits). */
static double round_pack64(uint64_t sign, int32_t exp, uint64_t sig) {
  if (exp >= 0x7fd + 1) return from64(sign << 63 | 0x7ff0000000000000ull);
  if (exp < 0) {
    sig = shift_right_jam64(sig, -exp);
    exp = 0;
  }
  const uint32_t round_bits = (uint32_t)(sig & 0x3ff);
  sig = (sig + 0x200) >> 10;
  if (round_bits == 0x200) sig &= ~(uint64_t)1; /* tie: to even */
  if (sig == 0) exp = 0;
  const uint64_t mag = ((uint64_t)exp << 52) + sig; /* the implicit bit carries into the exponent */
  if (mag >= 0x7ff0000000000000ull) return from64(sign << 63 | 0x7ff0000000000000ull);
  return from64(sign << 63 | mag);
}

/* Packs sign * sig * 2^e2 (any nonzero sig, exact) after normalising the leading 1 to bit 62. */
static double normalize_round_pack64(uint64_t sign, int32_t e2, uint64_t sig) {
  if (sig == 0) return from64(sign << 63);
  const int shift = clz64(sig) - 1;
  if (shift >= 0) {
    sig <<= shift;
  } else {
    sig = shift_right_jam64(sig, -shift);
  }
  return round_pack64(sign, e2 - shift + 1084, sig);
}

/* A finite nonzero double as sig * 2^(e - 1075) with sig's leading 1 at bit 52. */
static void unpack64(uint64_t u, int32_t* e, uint64_t* sig) {
  int32_t exp = (int32_t)((u >> 52) & 0x7ff);
  uint64_t frac = u & 0xfffffffffffffull;
  if (exp == 0) { /* subnormal */
    const int shift = clz64(frac) - 11;
    *sig = frac << shift;
    *e = 1 - shift;
  } else {
    *sig = frac | 0x10000000000000ull;
    *e = exp;
  }
}

static int is_nan64(uint64_t u) { return (u & 0x7fffffffffffffffull) > 0x7ff0000000000000ull; }
static int is_inf64(uint64_t u) { return (u & 0x7fffffffffffffffull) == 0x7ff0000000000000ull; }
static int is_zero64(uint64_t u) { return (u & 0x7fffffffffffffffull) == 0; }

static double add64(uint64_t a, uint64_t b) {
  const uint64_t sa = a >> 63, sb = b >> 63;
  if (is_nan64(a) || is_nan64(b)) return from64(F64_NAN);
  if (is_inf64(a)) return (is_inf64(b) && sa != sb) ? from64(F64_NAN) : from64(a);
  if (is_inf64(b)) return from64(b);
  if (is_zero64(a)) return is_zero64(b) ? from64((sa & sb) << 63) : from64(b);
  if (is_zero64(b)) return from64(a);
  int32_t ea, eb;
  uint64_t ma, mb;
  unpack64(a, &ea, &ma);
  unpack64(b, &eb, &mb);
  /* 9 guard bits below the significand: leading 1 at bit 61, room for a carry at 62. */
  ma <<= 9;
  mb <<= 9;
  int32_t e = ea;
  if (ea >= eb) {
    mb = shift_right_jam64(mb, ea - eb);
  } else {
    ma = shift_right_jam64(ma, eb - ea);
    e = eb;
  }
  if (sa == sb) return normalize_round_pack64(sa, e - 1075 - 9, ma + mb);
  if (ma == mb) return from64(0); /* exact cancellation gives +0 when rounding to nearest */
  if (ma > mb) return normalize_round_pack64(sa, e - 1075 - 9, ma - mb);
  return normalize_round_pack64(sb, e - 1075 - 9, mb - ma);
}

static double mul64(uint64_t a, uint64_t b) {
  const uint64_t sign = (a ^ b) >> 63;
  if (is_nan64(a) || is_nan64(b)) return from64(F64_NAN);
  if (is_inf64(a) || is_inf64(b)) {
    if (is_zero64(a) || is_zero64(b)) return from64(F64_NAN);
    return from64(sign << 63 | 0x7ff0000000000000ull);
  }
  if (is_zero64(a) || is_zero64(b)) return from64(sign << 63);
  int32_t ea, eb;
  uint64_t ma, mb;
  unpack64(a, &ea, &ma);
  unpack64(b, &eb, &mb);
  /* 53 x 53 -> 106-bit product from 32-bit halves. */
  const uint64_t a_lo = ma & 0xffffffffu, a_hi = ma >> 32, b_lo = mb & 0xffffffffu, b_hi = mb >> 32;
  const uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
  const uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
  const uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  /* product = hi * 2^64 + lo < 2^106: keep the top bits in 64 with the rest as sticky. */
  const uint64_t top = (hi << 22) | (lo >> 42) | ((lo & 0x3ffffffffffull) != 0);
  return normalize_round_pack64(sign, ea + eb - 2150 + 42, top);
}

static double div64(uint64_t a, uint64_t b) {
  const uint64_t sign = (a ^ b) >> 63;
  if (is_nan64(a) || is_nan64(b)) return from64(F64_NAN);
  if (is_inf64(a)) return is_inf64(b) ? from64(F64_NAN) : from64(sign << 63 | 0x7ff0000000000000ull);
  if (is_inf64(b)) return from64(sign << 63);
  if (is_zero64(b)) return is_zero64(a) ? from64(F64_NAN) : from64(sign << 63 | 0x7ff0000000000000ull);
  if (is_zero64(a)) return from64(sign << 63);
  int32_t ea, eb;
  uint64_t ma, mb;
  unpack64(a, &ea, &ma);
  unpack64(b, &eb, &mb);
  int32_t e2 = ea - eb - 62;
  uint64_t r = ma;
  if (r < mb) { /* make the first quotient bit a 1 */
    r <<= 1;
    e2 -= 1;
  }
  uint64_t q = 0;
  for (int i = 0; i < 63; ++i) { /* restoring division: 63 quotient bits, leading 1 at bit 62 */
    q <<= 1;
    if (r >= mb) {
      r -= mb;
      q |= 1;
    }
    r <<= 1;
  }
  return normalize_round_pack64(sign, e2, q | (r != 0));
}

/* Rounds and packs sign * sig * 2^(exp - 156), sig's leading 1 at bit 30 (7 round bits). */
static float round_pack32(uint32_t sign, int32_t exp, uint32_t sig) {
  if (exp >= 0xfd + 1) return from32(sign << 31 | 0x7f800000u);
  if (exp < 0) {
    const int n = -exp;
    sig = n >= 32 ? (sig != 0) : (sig >> n) | ((sig << (32 - n)) != 0);
    exp = 0;
  }
  const uint32_t round_bits = sig & 0x7f;
  sig = (sig + 0x40) >> 7;
  if (round_bits == 0x40) sig &= ~1u;
  if (sig == 0) exp = 0;
  const uint32_t mag = ((uint32_t)exp << 23) + sig;
  if (mag >= 0x7f800000u) return from32(sign << 31 | 0x7f800000u);
  return from32(sign << 31 | mag);
}

static float narrow(double d) {
  const uint64_t u = bits64(d);
  const uint32_t sign = (uint32_t)(u >> 63);
  if (is_nan64(u)) return from32(F32_NAN);
  if (is_inf64(u)) return from32(sign << 31 | 0x7f800000u);
  if (is_zero64(u)) return from32(sign << 31);
  int32_t e;
  uint64_t m;
  unpack64(u, &e, &m);
  /* 53-bit significand -> leading 1 at bit 30 (shift 22, sticky kept): value = sig * 2^(e - 1053). */
  const uint32_t sig = (uint32_t)shift_right_jam64(m, 22);
  return round_pack32(sign, e - 1053 + 156, sig);
}

static double widen(float f) {
  const uint32_t u = bits32(f);
  const uint64_t sign = u >> 31;
  const uint32_t exp = (u >> 23) & 0xff, frac = u & 0x7fffff;
  if (exp == 0xff) return from64(frac ? F64_NAN : (sign << 63 | 0x7ff0000000000000ull));
  if (exp == 0 && frac == 0) return from64(sign << 63);
  if (exp == 0) return normalize_round_pack64(sign, -149, frac); /* subnormal float: exact in double */
  return from64(sign << 63 | (uint64_t)(exp - 127 + 1023) << 52 | (uint64_t)frac << 29);
}

static double from_u32(uint32_t v, uint64_t sign) { return normalize_round_pack64(sign, 0, v); }

static uint32_t to_u32_trunc(double d, int* negative, int* overflow) {
  const uint64_t u = bits64(d);
  *negative = (int)(u >> 63);
  *overflow = 0;
  if (is_nan64(u)) {
    *overflow = 1;
    return 0;
  }
  if (is_zero64(u)) return 0;
  int32_t e;
  uint64_t m;
  unpack64(u, &e, &m); /* value = m * 2^(e - 1075) */
  const int32_t shift = 1075 - e;
  if (shift >= 64) return 0;
  if (shift <= 20) { /* >= 2^32 */
    *overflow = 1;
    return 0xffffffffu;
  }
  return (uint32_t)(m >> shift);
}

double __adddf3(double a, double b) { return add64(bits64(a), bits64(b)); }
double __subdf3(double a, double b) { return add64(bits64(a), bits64(b) ^ 0x8000000000000000ull); }
double __muldf3(double a, double b) { return mul64(bits64(a), bits64(b)); }
double __divdf3(double a, double b) { return div64(bits64(a), bits64(b)); }
float __addsf3(float a, float b) { return narrow(add64(bits64(widen(a)), bits64(widen(b)))); }
float __subsf3(float a, float b) {
  return narrow(add64(bits64(widen(a)), bits64(widen(b)) ^ 0x8000000000000000ull));
}
float __mulsf3(float a, float b) { return narrow(mul64(bits64(widen(a)), bits64(widen(b)))); }
double __extendsfdf2(float a) { return widen(a); }
float __truncdfsf2(double a) { return narrow(a); }
double __floatsidf(int32_t v) { return from_u32(v < 0 ? 0u - (uint32_t)v : (uint32_t)v, v < 0); }
double __floatunsidf(uint32_t v) { return from_u32(v, 0); }
float __floatsisf(int32_t v) { return narrow(__floatsidf(v)); }
float __floatunsisf(uint32_t v) { return narrow(from_u32(v, 0)); }

/* Out-of-range conversions are undefined in C; saturate (NaN -> 0). */
int32_t __fixdfsi(double a) {
  int negative, overflow;
  const uint32_t m = to_u32_trunc(a, &negative, &overflow);
  if (is_nan64(bits64(a))) return 0;
  if (negative) return (overflow || m > 0x80000000u) ? INT32_MIN : (int32_t)(0u - m);
  return (overflow || m > 0x7fffffffu) ? INT32_MAX : (int32_t)m;
}
uint32_t __fixunsdfsi(double a) {
  int negative, overflow;
  const uint32_t m = to_u32_trunc(a, &negative, &overflow);
  if (negative || is_nan64(bits64(a))) return 0;
  return overflow ? 0xffffffffu : m;
}
uint32_t __fixunssfsi(float a) { return __fixunsdfsi(widen(a)); }
