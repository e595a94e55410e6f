// The machine's arithmetic ceiling for float32 training: multiply-adds per second that fused
// multiply-add instructions reach on 1 and on all threads, with no memory traffic at all. A
// model's training rate times its multiply-adds per sample cannot exceed this, which bounds
// what any engine (ours, PyTorch's) can reach on a GEMM-bound model.
//
//   fma_peak [--threads N] [--seconds S]
//
// Prints one JSON object: {"gmac_per_s_1": ..., "gmac_per_s_all": ..., "threads": N}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace {

// Twelve independent chains hide the FMA latency (4 cycles, 2 pipes). Returns multiply-adds done.
double fma_chains(double seconds) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  double macs = 0;
  float sink = 0;
#if defined(__AVX2__) && defined(__FMA__)
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(0.0001f);
  constexpr long kBatch = 1 << 20;
  while (Clock::now() < end) {
    for (long it = 0; it < kBatch; ++it) {
#pragma GCC unroll 12  // unrolled, the twelve accumulators stay in registers
      for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    macs += static_cast<double>(kBatch) * 12 * 8;
  }
  alignas(32) float lanes[8];
  for (int i = 0; i < 12; ++i) {
    _mm256_store_ps(lanes, acc[i]);
    for (float v : lanes) sink += v;
  }
#else
  float acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = 0.001f * static_cast<float>(i);
  constexpr long kBatch = 1 << 22;
  while (Clock::now() < end) {
    for (long it = 0; it < kBatch; ++it)
#pragma GCC unroll 12
      for (float& v : acc) v = v * 0.9999f + 0.0001f;
    macs += static_cast<double>(kBatch) * 12;
  }
  for (float v : acc) sink += v;
#endif
  if (sink == 12345.678f) std::puts("");  // keeps the chains alive
  return macs;
}

double gmac_per_s(int threads, double seconds) {
  std::vector<double> macs(static_cast<size_t>(threads));
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { macs[static_cast<size_t>(t)] = fma_chains(seconds); });
  for (auto& th : pool) th.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double total = 0;
  for (double m : macs) total += m;
  return total / wall * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  double seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "fma_peak: unknown option '%s' (options: --threads N, --seconds S)\n", argv[i]);
      return 2;
    }
  }
  if (threads < 1 || seconds <= 0) {
    std::fprintf(stderr, "fma_peak: --threads must be >= 1 and --seconds > 0\n");
    return 2;
  }
  const double one = gmac_per_s(1, seconds), all = gmac_per_s(threads, seconds);
  std::printf("{\"gmac_per_s_1\": %.1f, \"gmac_per_s_all\": %.1f, \"threads\": %d}\n", one, all, threads);
  return 0;
}
