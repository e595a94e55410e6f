/* libgcc_shim.c -- integer helpers missing from Debian 12's gcc-xtensa-lx106 libgcc.a
 * (__udivsi3, __divsi3, __umodsi3, __muldi3, __udivdi3, __umoddi3, __divdi3).
 * Plain shift/subtract versions written so GCC cannot turn them back into helper calls. */
#include <stdint.h>

static uint32_t udivmod32(uint32_t n, uint32_t d, uint32_t* rem) {
  uint32_t q = 0, r = 0;
  for (int i = 31; i >= 0; --i) {
    r = (r << 1) | ((n >> i) & 1u);
    if (r >= d) { r -= d; q |= 1u << i; }
  }
  if (rem) *rem = r;
  return q;
}
uint32_t __udivsi3(uint32_t n, uint32_t d) { return udivmod32(n, d, 0); }
uint32_t __umodsi3(uint32_t n, uint32_t d) { uint32_t r; udivmod32(n, d, &r); return r; }
int32_t __divsi3(int32_t a, int32_t b) {
  uint32_t ua = a < 0 ? 0u - (uint32_t)a : (uint32_t)a, ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
  uint32_t q = udivmod32(ua, ub, 0);
  return (a < 0) != (b < 0) ? (int32_t)(0u - q) : (int32_t)q;
}

static uint32_t mul16(uint32_t a, uint32_t b) { return (a & 0xffffu) * (b & 0xffffu); }
static uint64_t umul32x32(uint32_t a, uint32_t b) { /* 32x32->64 from 16-bit partial products */
  uint32_t al = a & 0xffffu, ah = a >> 16, bl = b & 0xffffu, bh = b >> 16;
  uint32_t ll = mul16(al, bl), lh = mul16(al, bh), hl = mul16(ah, bl), hh = mul16(ah, bh);
  uint32_t mid = (ll >> 16) + (lh & 0xffffu) + (hl & 0xffffu);
  uint32_t lo = (ll & 0xffffu) | (mid << 16);
  uint32_t hi = hh + (lh >> 16) + (hl >> 16) + (mid >> 16);
  return ((uint64_t)hi << 32) | lo;
}
uint64_t __muldi3(uint64_t a, uint64_t b) {
  uint64_t r = umul32x32((uint32_t)a, (uint32_t)b);
  uint32_t cross = (uint32_t)(a >> 32) * (uint32_t)b + (uint32_t)a * (uint32_t)(b >> 32);
  return r + ((uint64_t)cross << 32);
}

static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t* rem) {
  uint64_t q = 0, r = 0;
  for (int i = 63; i >= 0; --i) {
    r = (r << 1) | ((n >> i) & 1u);
    if (r >= d) { r -= d; q |= (uint64_t)1 << i; }
  }
  if (rem) *rem = r;
  return q;
}
uint64_t __udivdi3(uint64_t n, uint64_t d) { return udivmod64(n, d, 0); }
uint64_t __umoddi3(uint64_t n, uint64_t d) { uint64_t r; udivmod64(n, d, &r); return r; }
int64_t __divdi3(int64_t a, int64_t b) {
  uint64_t ua = a < 0 ? 0u - (uint64_t)a : (uint64_t)a, ub = b < 0 ? 0u - (uint64_t)b : (uint64_t)b;
  uint64_t q = udivmod64(ua, ub, 0);
  return (a < 0) != (b < 0) ? (int64_t)(0u - q) : (int64_t)q;
}
