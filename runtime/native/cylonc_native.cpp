// cylonc's native relational kernels: hash join, hash group-by with accumulators, and a stable
// radix argsort, all on int64 keys (the Python side maps other key types to int64 first).
//
// A plain C ABI (see cylonc_native.h) loaded by runtime/kernels/native_lib.py with ctypes.
// Validity is an Arrow bitmap (LSB bit order) plus a bit offset, or NULL for "all valid".
// Every entry point returns a negative value on failure (out of memory, bad arguments) and the
// caller falls back to its Arrow/numpy path; nothing here throws across the ABI.
//
// Threads: `nthreads` workers (std::thread) where a phase has enough rows to pay for them.
// Row-range splits are merged in row order, so join pairs, sort orders, first/last rows and
// counts do not depend on the thread count (group id numbering and the rounding of float sums
// may).

#include "cylonc_native.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#ifdef CYL_TIMING  // per-phase timings on stderr, for tuning
#include <chrono>
#include <cstdio>
#include <sys/resource.h>
#endif

namespace {

using i64 = std::int64_t;
using u64 = std::uint64_t;
using u8 = std::uint8_t;

constexpr i64 kParallelMin = i64(1) << 15;  // fewer rows than this: one thread

#ifdef CYL_TIMING
void cpu_ms(double* user, double* sys) {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *user = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3;
  *sys = ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}
struct Timer {
  const char* what;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double u0 = 0, s0 = 0;
  explicit Timer(const char* w) : what(w) { cpu_ms(&u0, &s0); }
  void lap(const char* step) {
    auto t1 = std::chrono::steady_clock::now();
    double u1, s1;
    cpu_ms(&u1, &s1);
    std::fprintf(stderr, "  [%s] %-18s wall %7.1f  user %7.1f  sys %7.1f ms\n", what, step,
                 std::chrono::duration<double, std::milli>(t1 - t0).count(), u1 - u0, s1 - s0);
    t0 = t1;
    u0 = u1;
    s0 = s1;
  }
};
#define TIMER(name, what) Timer name{what}
#define LAP(name, step) name.lap(step)
#else
#define TIMER(name, what)
#define LAP(name, step)
#endif

// --- memory ------------------------------------------------------------------------------------

// Large blocks freed by one kernel call are kept for the next ones (up to a byte limit): a 10M
// row join or sort touches hundreds of MB of scratch, and faulting fresh pages in again on every
// call costs about as much as the work itself. cyl_release_memory() hands them all back.
class BlockCache {
 public:
  static constexpr size_t kMinBytes = size_t(256) << 10;

  // A cached block of at least `bytes` (and not much larger), or nullptr.
  void* take(size_t bytes, size_t* got) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t best = blocks_.size();
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const size_t b = blocks_[i].bytes;
      if (b >= bytes && b <= 2 * bytes + kMinBytes &&
          (best == blocks_.size() || b < blocks_[best].bytes))
        best = i;
    }
    if (best == blocks_.size()) return nullptr;
    void* p = blocks_[best].p;
    *got = blocks_[best].bytes;
    total_ -= *got;
    blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(best));
    return p;
  }

  void put(void* p, size_t bytes) {
    std::vector<void*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (bytes > limit_) {
        drop.push_back(p);
      } else {
        blocks_.push_back({p, bytes});
        total_ += bytes;
        while (total_ > limit_) {  // oldest first
          drop.push_back(blocks_.front().p);
          total_ -= blocks_.front().bytes;
          blocks_.erase(blocks_.begin());
        }
      }
    }
    for (void* q : drop) std::free(q);
  }

  void set_limit(size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      limit_ = bytes;
    }
    trim(bytes);
  }

  void trim(size_t keep = 0) {
    std::vector<void*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (total_ > keep && !blocks_.empty()) {
        drop.push_back(blocks_.front().p);
        total_ -= blocks_.front().bytes;
        blocks_.erase(blocks_.begin());
      }
    }
    for (void* q : drop) std::free(q);
  }

  size_t total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  struct Block {
    void* p;
    size_t bytes;
  };
  std::mutex mu_;
  std::vector<Block> blocks_;
  size_t total_ = 0;
  size_t limit_ = size_t(1) << 30;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache();  // never destroyed: safe at exit
  return *cache;
}

// An uninitialised heap array (no value-initialisation pass, unlike std::vector). Large ones
// come from / go back to the block cache, 2 MiB aligned; those accessed at random (hash
// tables, group arrays) are advised for transparent huge pages, since TLB misses would
// otherwise dominate.
template <class T>
class Buf {
 public:
  Buf() = default;
  explicit Buf(size_t count, bool random_access = false) { reset(count, random_access); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  Buf(Buf&& o) noexcept : p_(o.p_), n_(o.n_), bytes_(o.bytes_) {
    o.p_ = nullptr;
    o.n_ = 0;
    o.bytes_ = 0;
  }
  Buf& operator=(Buf&& o) noexcept {
    if (this != &o) {
      release();
      p_ = o.p_;
      n_ = o.n_;
      bytes_ = o.bytes_;
      o.p_ = nullptr;
      o.n_ = 0;
      o.bytes_ = 0;
    }
    return *this;
  }
  ~Buf() { release(); }

  void reset(size_t count, bool random_access = false) {
    release();
    size_t bytes = std::max<size_t>(count, 1) * sizeof(T);
    void* q = nullptr;
    if (bytes >= BlockCache::kMinBytes) {
      size_t got = 0;
      q = block_cache().take(bytes, &got);
      if (q != nullptr) {
        bytes = got;
      } else if (posix_memalign(&q, size_t(2) << 20, bytes) != 0) {
        throw std::bad_alloc();
      }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      if (random_access) madvise(q, bytes, MADV_HUGEPAGE);
#endif
    } else {
      q = std::malloc(bytes);
      if (q == nullptr) throw std::bad_alloc();
    }
    p_ = static_cast<T*>(q);
    n_ = count;
    bytes_ = bytes;
  }
  void zero() { std::memset(static_cast<void*>(p_), 0, n_ * sizeof(T)); }
  void release() {
    if (p_ != nullptr && bytes_ >= BlockCache::kMinBytes) {
      block_cache().put(p_, bytes_);
    } else {
      std::free(p_);
    }
    p_ = nullptr;
    n_ = 0;
    bytes_ = 0;
  }
  T* data() const { return p_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) const { return p_[i]; }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
  size_t bytes_ = 0;
};

// --- threads -----------------------------------------------------------------------------------

int clamp_threads(int nthreads, i64 work) {
  if (nthreads < 1 || work < kParallelMin) return 1;
  return std::min(nthreads, 64);
}

i64 range_lo(i64 n, int nt, int t) {
  return static_cast<i64>((static_cast<__int128>(n) * t) / nt);
}

// Run f(t) for t in [0, nt); f(0) on the calling thread. Returns false if any call threw.
template <class F>
bool run_threads(int nt, F&& f) {
  std::atomic<bool> failed{false};
  auto body = [&](int t) {
    try {
      f(t);
    } catch (...) {
      failed.store(true);
    }
  };
  if (nt <= 1) {
    body(0);
    return !failed.load();
  }
  std::vector<std::thread> ts;
  ts.reserve(nt - 1);
  try {
    for (int t = 1; t < nt; ++t) ts.emplace_back(body, t);
  } catch (...) {
    failed.store(true);
  }
  body(0);
  for (auto& th : ts) th.join();
  return !failed.load();
}

void check(bool ok) {
  if (!ok) throw std::bad_alloc();
}

// --- validity, hashing -------------------------------------------------------------------------

struct Valid {
  const u8* bm = nullptr;
  i64 off = 0;
  bool any_null() const { return bm != nullptr; }
  bool operator()(i64 i) const {
    i64 j = i + off;
    return bm == nullptr || ((bm[j >> 3] >> (j & 7)) & 1) != 0;
  }
};

inline u64 hash64(u64 x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

int ceil_log2(u64 x) {
  int b = 0;
  while ((u64(1) << b) < x && b < 63) ++b;
  return b;
}

int bit_width(u64 x) {
  int b = 0;
  while (x) {
    ++b;
    x >>= 1;
  }
  return b;
}

// Open-addressing (linear probing) map from int64 key to a dense id in insertion order.
// Slot index from the hash's low bits; partitioning uses the high bits.
class Table {
 public:
  struct Slot {
    i64 key;
    i64 id;  // < 0: empty
  };

  void init(i64 expect) {
    size_t cap = 16;
    while (cap < static_cast<size_t>(expect) * 2) cap <<= 1;
    alloc(cap);
    n_ = 0;
  }
  i64 size() const { return n_; }
  // An id that no key maps to (the null key's group).
  i64 new_id() { return n_++; }

  i64 insert(i64 key) {
    u64 i = hash64(static_cast<u64>(key)) & mask_;
    for (;;) {
      Slot& e = s_[i];
      if (e.id < 0) {
        e.key = key;
        i64 id = n_++;
        e.id = id;
        if (n_ > limit_) grow();
        return id;
      }
      if (e.key == key) return e.id;
      i = (i + 1) & mask_;
    }
  }

  i64 find(i64 key) const {
    u64 i = hash64(static_cast<u64>(key)) & mask_;
    for (;;) {
      const Slot& e = s_[i];
      if (e.id < 0) return -1;
      if (e.key == key) return e.id;
      i = (i + 1) & mask_;
    }
  }

  // f(key, id) for every key.
  template <class F>
  void for_each(F&& f) const {
    const size_t cap = mask_ + 1;
    for (size_t i = 0; i < cap; ++i) {
      const Slot& e = s_[i];
      if (e.id >= 0) f(e.key, e.id);
    }
  }

 private:
  void alloc(size_t cap) {
    s_.reset(cap, true);
    Slot* s = s_.data();
    for (size_t i = 0; i < cap; ++i) s[i].id = -1;
    mask_ = cap - 1;
    limit_ = static_cast<i64>(cap / 2);
  }
  void grow() {
    Buf<Slot> old = std::move(s_);
    size_t ocap = mask_ + 1;
    alloc(ocap * 2);
    for (size_t j = 0; j < ocap; ++j) {
      const Slot& e = old[j];
      if (e.id < 0) continue;
      u64 i = hash64(static_cast<u64>(e.key)) & mask_;
      while (s_[i].id >= 0) i = (i + 1) & mask_;
      s_[i] = e;
    }
  }

  Buf<Slot> s_;
  u64 mask_ = 0;
  i64 n_ = 0;
  i64 limit_ = 0;
};

// --- radix partitioning ------------------------------------------------------------------------

// Rows scattered into 2^bits hash partitions (high hash bits) plus a last bucket for null keys,
// each bucket in row order. start has 2^bits + 2 entries.
struct Partitions {
  int bits = 0;
  i64 parts = 0;  // hash partitions; bucket `parts` holds the null rows
  Buf<i64> keys;  // keys in partition order
  Buf<i64> rows;  // their rows (if asked for)
  Buf<i64> pos;   // each row's position in partition order (if asked for)
  std::vector<i64> start;
};

// rows_in: the row number of each of the n entries (default: its index), for P.rows. V: Valid,
// or any type with any_null() and operator()(i64) (the validity of entry i).
template <class V>
void partition(const i64* keys, V valid, i64 n, int bits, int nthreads, bool want_rows,
               bool want_pos, Partitions& P, const i64* rows_in = nullptr) {
  P.bits = bits;
  P.parts = i64(1) << bits;
  const i64 B = P.parts + 1;
  const int shift = 64 - bits;
  const int nt = clamp_threads(nthreads, n);
  std::vector<i64> hist(static_cast<size_t>(B) * nt, 0);
  auto bucket = [&](i64 i) -> i64 {
    if (!valid(i)) return B - 1;
    return static_cast<i64>(hash64(static_cast<u64>(keys[i])) >> shift);
  };
  check(run_threads(nt, [&](int t) {
    i64* h = hist.data() + static_cast<size_t>(t) * B;
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    if (valid.any_null()) {
      for (i64 i = lo; i < hi; ++i) ++h[bucket(i)];
    } else {
      for (i64 i = lo; i < hi; ++i) ++h[hash64(static_cast<u64>(keys[i])) >> shift];
    }
  }));
  P.start.assign(B + 1, 0);
  i64 pos = 0;
  for (i64 b = 0; b < B; ++b) {
    P.start[b] = pos;
    for (int t = 0; t < nt; ++t) {
      i64& h = hist[static_cast<size_t>(t) * B + b];
      i64 c = h;
      h = pos;
      pos += c;
    }
  }
  P.start[B] = pos;
  P.keys.reset(n);
  if (want_rows) P.rows.reset(n);
  if (want_pos) P.pos.reset(n);
  i64* pk = P.keys.data();
  i64* pr = want_rows ? P.rows.data() : nullptr;
  i64* pp = want_pos ? P.pos.data() : nullptr;
  check(run_threads(nt, [&](int t) {
    i64* cur = hist.data() + static_cast<size_t>(t) * B;
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      i64 b = valid.any_null() ? bucket(i)
                               : static_cast<i64>(hash64(static_cast<u64>(keys[i])) >> shift);
      i64 o = cur[b]++;
      pk[o] = keys[i];
      if (pr) pr[o] = rows_in ? rows_in[i] : i;
      if (pp) pp[i] = o;
    }
  }));
}

// --- join --------------------------------------------------------------------------------------

// One side's rows as seen by a join step: keys[k] for k < count, the row number of k, and
// whether k's key is null.
struct View {
  const i64* keys = nullptr;
  const i64* rows = nullptr;  // nullptr: row = k
  i64 count = 0;
  int nulls = 0;  // 0: no nulls, 1: all null, 2: look up `valid`
  Valid valid;
  i64 row(i64 k) const { return rows ? rows[k] : k; }
  bool is_null(i64 k) const { return nulls == 1 || (nulls == 2 && !valid(row(k))); }
};

// A left row's matches: rsorted[start, start + cnt), or with cnt == 1 the right row `start`
// itself (most keys of a key / foreign-key join: no second lookup).
struct Match {
  i64 start;
  i64 cnt;
};

struct Join {
  i64 n = 0, m = 0;
  Buf<Match> match;  // per left row, in left order
  Buf<i64> rsorted;  // right rows grouped by key, each group in right order
  Buf<i64> off;      // output offsets per left row (n + 1), for `off_keep`
  int off_keep = -1;
  int nthreads = 1;
};

// Exact membership bitmap of the build side's valid keys over [lo, lo + span]: a probe key
// passes iff some build row has it, so the probe rows of a selective join (most of them without
// a match, e.g. a fact table against a filtered dimension) skip the hash probe, or are dropped
// before the probe side is partitioned. Built only where it pays (see make_filter).
struct KeyFilter {
  bool on = false;
  bool build_null = false;  // some build row has a null key (probe nulls match it)
  i64 lo = 0;
  u64 span = 0;  // max key - lo
  Buf<u64> words;
  bool pass(i64 key) const {
    const u64 d = static_cast<u64>(key) - static_cast<u64>(lo);
    return d <= span && ((words[d >> 6] >> (d & 63)) & 1) != 0;
  }
  u8 pass_branch_free(i64 key) const {  // for keys that pass or fail at random
    const u64 d = static_cast<u64>(key) - static_cast<u64>(lo);
    const bool in = d <= span;
    return static_cast<u8>(in & (words[in ? d >> 6 : 0] >> (d & 63)));
  }
  void prefetch(i64 key) const {  // the word pass(key) reads (any word when out of range)
    u64 d = static_cast<u64>(key) - static_cast<u64>(lo);
    d = d <= span ? d : 0;
    __builtin_prefetch(words.data() + (d >> 6));
  }
};

constexpr i64 kFilterMinProbe = i64(1) << 16;  // fewer probe rows: no filter
constexpr u64 kFilterMaxBits = u64(1) << 26;   // bitmap at most 8 MiB
constexpr u64 kFilterFreeBits = u64(1) << 23;  // up to 1 MiB whatever the build size
// Else at most this many bits a build row: the hash tables take 192 to 512 bits a key, so a
// bitmap test touches less memory than the probe it saves.
constexpr u64 kFilterBitsPerRow = 256;
constexpr i64 kFilterSample = 4096;

// Of the valid keys among n: the smallest, the largest, how many low bits they all share, and
// how many there are (all 0 when none).
struct KeyStats {
  i64 min = 0, max = 0;
  int shared_bits = 0;
  i64 count = 0;
};

KeyStats key_stats(const i64* keys, Valid v, i64 n, int nthreads) {
  KeyStats S;
  i64 i0 = 0;
  while (i0 < n && !v(i0)) ++i0;
  if (i0 == n) return S;
  const u64 v0 = static_cast<u64>(keys[i0]);
  const int nt = clamp_threads(nthreads, n);
  std::vector<i64> mn(nt, keys[i0]), mx(nt, keys[i0]), cnt(nt, 0);
  std::vector<u64> diff(nt, 0);
  check(run_threads(nt, [&](int t) {
    const i64 a = range_lo(n, nt, t), b = range_lo(n, nt, t + 1);
    i64 lo = mn[t], hi = mx[t], c = 0;
    u64 d = 0;
    if (!v.any_null()) {
      for (i64 i = a; i < b; ++i) {
        const i64 k = keys[i];
        lo = std::min(lo, k);
        hi = std::max(hi, k);
        d |= static_cast<u64>(k) ^ v0;
      }
      c = b - a;
    }
    for (i64 i = a; i < b && v.any_null(); ++i) {
      if (!v(i)) continue;
      const i64 k = keys[i];
      lo = std::min(lo, k);
      hi = std::max(hi, k);
      d |= static_cast<u64>(k) ^ v0;
      ++c;
    }
    mn[t] = lo;
    mx[t] = hi;
    diff[t] = d;
    cnt[t] = c;
  }));
  u64 d = 0;
  S.min = mn[0];
  S.max = mx[0];
  for (int t = 0; t < nt; ++t) {
    S.min = std::min(S.min, mn[t]);
    S.max = std::max(S.max, mx[t]);
    d |= diff[t];
    S.count += cnt[t];
  }
  S.shared_bits = d == 0 ? 0 : __builtin_ctzll(d);
  return S;
}

// The bitmap of the nb build keys into F (F.on stays false): false when their range is too wide
// (over kFilterMaxBits; with dense_only, also over kFilterBitsPerRow bits a build row), or, with
// unique, as soon as a key turns up twice.
bool fill_filter(const i64* bk, Valid bv, i64 nb, int nthreads, bool dense_only, KeyFilter& F,
                 bool unique = false) {
  const int nt = clamp_threads(nthreads, nb);
  const KeyStats S = key_stats(bk, bv, nb, nthreads);
  const i64 mn = S.min, mx = S.max;  // no valid build key: an empty bitmap (bit 0 stays clear)
  const bool any_null = S.count < nb;
  const u64 span = static_cast<u64>(mx) - static_cast<u64>(mn);
  if (span >= kFilterMaxBits ||
      (dense_only && span >= kFilterFreeBits && span / kFilterBitsPerRow >= static_cast<u64>(nb)))
    return false;
  F.lo = mn;
  F.span = span;
  F.build_null = any_null;
  F.words.reset(span / 64 + 1, true);
  F.words.zero();
  u64* w = F.words.data();
  std::atomic<bool> dup{false};
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(nb, nt, t), hi = range_lo(nb, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      if (!bv(i)) continue;
      const u64 d = static_cast<u64>(bk[i]) - static_cast<u64>(mn);
      const u64 bit = u64(1) << (d & 63);
      if (unique) {
        const u64 old = nt == 1 ? w[d >> 6] : __atomic_fetch_or(w + (d >> 6), bit, __ATOMIC_RELAXED);
        if (nt == 1) w[d >> 6] = old | bit;
        if ((old & bit) != 0 || ((i & 4095) == 0 && dup.load(std::memory_order_relaxed))) {
          dup.store(true);
          return;
        }
      } else if (nt == 1) {
        w[d >> 6] |= bit;
      } else if ((__atomic_load_n(w + (d >> 6), __ATOMIC_RELAXED) & bit) == 0) {
        __atomic_fetch_or(w + (d >> 6), bit, __ATOMIC_RELAXED);
      }
    }
  }));
  return !dup.load();
}

// Fill F from the nb build keys if it pays for the np probe keys: the build side at most half
// the probe side, the key range within the limits above, and at most max_hit of a sample of the
// valid probe keys in the bitmap (most rows matching: the test would only add work).
bool make_filter(const i64* bk, Valid bv, i64 nb, const i64* pk, Valid pv, i64 np,
                 int nthreads, double max_hit, KeyFilter& F) {
  F.on = false;
  if (np < kFilterMinProbe || nb > np / 2) return false;
  if (!fill_filter(bk, bv, nb, nthreads, true, F)) return false;
  const i64 S = std::min(np, kFilterSample);
  i64 valid = 0, hit = 0;
  for (i64 s = 0; s < S; ++s) {
    const i64 i = static_cast<i64>((static_cast<__int128>(np) * s) / S);
    if (!pv(i)) continue;
    ++valid;
    hit += F.pass(pk[i]);
  }
  if (valid == 0 || static_cast<double>(hit) > max_hit * static_cast<double>(valid)) return false;
  F.on = true;
  return true;
}

// Match the rows of L against those of R (null keys equal each other): out[k] for each k of
// L, and R's matching rows into rsorted[base, ...). Hash table on L when build_left, else on R.
// F (optional): a filter of the build side's keys, tested before each probe.
void join_step(const View& L, const View& R, bool build_left, i64 base, int nthreads,
               Match* out, i64* rs, const KeyFilter* F = nullptr) {
  Table tab;
  i64 null_id = -1;
  if (!build_left) {
    tab.init(std::min<i64>(R.count, i64(1) << 16));
    Buf<i64> rid(R.count);
    for (i64 k = 0; k < R.count; ++k) {
      i64 id;
      if (R.is_null(k)) {
        if (null_id < 0) null_id = tab.new_id();
        id = null_id;
      } else {
        id = tab.insert(R.keys[k]);
      }
      rid[k] = id;
    }
    const i64 G = tab.size();
    Buf<Match> gm(G);
    for (i64 g = 0; g < G; ++g) gm[g].cnt = 0;
    for (i64 k = 0; k < R.count; ++k) ++gm[rid[k]].cnt;
    i64 pos = base;
    for (i64 g = 0; g < G; ++g) {
      gm[g].start = pos;
      pos += gm[g].cnt;
    }
    for (i64 k = 0; k < R.count; ++k) rs[gm[rid[k]].start++] = R.row(k);
    for (i64 g = 0; g < G; ++g) {
      gm[g].start -= gm[g].cnt;
      if (gm[g].cnt == 1) gm[g].start = rs[gm[g].start];
    }
    const int nt = clamp_threads(nthreads, L.count);
    check(run_threads(nt, [&](int t) {
      const i64 lo = range_lo(L.count, nt, t), hi = range_lo(L.count, nt, t + 1);
      if (F != nullptr) {
        for (i64 k = lo; k < hi; ++k) {
          const i64 id = L.is_null(k)           ? null_id
                         : !F->pass(L.keys[k]) ? -1
                                               : tab.find(L.keys[k]);
          out[k] = id >= 0 ? gm[id] : Match{0, 0};
        }
        return;
      }
      for (i64 k = lo; k < hi; ++k) {
        const i64 id = L.is_null(k) ? null_id : tab.find(L.keys[k]);
        out[k] = id >= 0 ? gm[id] : Match{0, 0};
      }
    }));
    return;
  }
  tab.init(std::min<i64>(L.count, i64(1) << 16));
  Buf<i64> lid(L.count);
  for (i64 k = 0; k < L.count; ++k) {
    if (L.is_null(k)) {
      if (null_id < 0) null_id = tab.new_id();
      lid[k] = null_id;
    } else {
      lid[k] = tab.insert(L.keys[k]);
    }
  }
  const i64 G = tab.size();
  const int nt = clamp_threads(nthreads, R.count);
  Buf<i64> rid(R.count);
  Buf<i64> cnt_t(static_cast<size_t>(G) * nt);
  cnt_t.zero();
  check(run_threads(nt, [&](int t) {
    i64* c = cnt_t.data() + static_cast<size_t>(t) * G;
    const i64 lo = range_lo(R.count, nt, t), hi = range_lo(R.count, nt, t + 1);
    if (F != nullptr) {
      for (i64 k = lo; k < hi; ++k) {
        const i64 id = R.is_null(k)           ? null_id
                       : !F->pass(R.keys[k]) ? -1
                                             : tab.find(R.keys[k]);
        rid[k] = id;
        if (id >= 0) ++c[id];
      }
      return;
    }
    for (i64 k = lo; k < hi; ++k) {
      i64 id = R.is_null(k) ? null_id : tab.find(R.keys[k]);
      rid[k] = id;
      if (id >= 0) ++c[id];
    }
  }));
  Buf<Match> gm(G);
  i64 pos = base;
  for (i64 g = 0; g < G; ++g) {
    gm[g].start = pos;
    for (int t = 0; t < nt; ++t) {
      i64& c = cnt_t[static_cast<size_t>(t) * G + g];
      i64 v = c;
      c = pos;
      pos += v;
    }
    gm[g].cnt = pos - gm[g].start;
  }
  check(run_threads(nt, [&](int t) {
    i64* cur = cnt_t.data() + static_cast<size_t>(t) * G;
    const i64 lo = range_lo(R.count, nt, t), hi = range_lo(R.count, nt, t + 1);
    for (i64 k = lo; k < hi; ++k) {
      i64 id = rid[k];
      if (id >= 0) rs[cur[id]++] = R.row(k);
    }
  }));
  for (i64 g = 0; g < G; ++g)
    if (gm[g].cnt == 1) gm[g].start = rs[gm[g].start];
  const int ntl = clamp_threads(nthreads, L.count);
  check(run_threads(ntl, [&](int t) {
    const i64 lo = range_lo(L.count, ntl, t), hi = range_lo(L.count, ntl, t + 1);
    for (i64 k = lo; k < hi; ++k) out[k] = gm[lid[k]];
  }));
}

#ifndef CYL_JOIN_SINGLE_LOG2
#define CYL_JOIN_SINGLE_LOG2 17
#endif
// Build side up to this many rows: one shared hash table; more: radix partitions of about
// 2^kJoinPartRowsLog2 build rows each.
constexpr i64 kJoinSingleMax = i64(1) << CYL_JOIN_SINGLE_LOG2;
constexpr int kJoinPartRowsLog2 = 13;

// Large right (build) side: radix-partition the right rows, build one small hash table per
// partition (cache resident), lay the partitions' tables side by side in one array of
// {key, payload} slots, then probe it with the left rows in left order (prefetching), so the
// left side is neither partitioned nor permuted back. payload: the right row of a key with one
// row, or -(group + 1) for a key with several (their rows in rsorted).
// F: a filter of the right keys (used when F.on): left rows failing it skip the probe.
void join_right_table(const i64* lk, Valid lv, i64 n, const i64* rk, Valid rv, i64 m, int bits,
                      const KeyFilter& F, Join& J) {
  TIMER(tm, "join");
  constexpr i64 kEmpty = std::numeric_limits<i64>::min();
  struct Slot {
    i64 key;
    i64 payload;
  };
  Partitions PR;
  partition(rk, rv, m, bits, J.nthreads, true, false, PR);
  LAP(tm, "partition right");
  const i64 P = PR.parts;
  i64* pk = PR.keys.data();
  const i64* pr = PR.rows.data();
  i64* rs = J.rsorted.data();
  Buf<Match> gm(std::max<i64>(m, 1));  // each partition's groups at its offset
  std::vector<i64> D(P + 1, 0), dups(P + 1, 0);
  Match null_match{0, 0};
  std::atomic<i64> next{0};
  const int nt = clamp_threads(J.nthreads, m);
  check(run_threads(nt, [&](int) {
    for (i64 b = next++; b <= P; b = next++) {
      const i64 s = PR.start[b], c = PR.start[b + 1] - s;
      if (b == P) {  // null keys: one group
        for (i64 k = 0; k < c; ++k) rs[s + k] = pr[s + k];
        if (c) null_match = c == 1 ? Match{pr[s], 1} : Match{s, c};
        continue;
      }
      Table tab;
      tab.init(std::min<i64>(c, i64(1) << 14));
      Buf<i64> rid(c);
      for (i64 k = 0; k < c; ++k) rid[k] = tab.insert(pk[s + k]);
      const i64 G = tab.size();
      Match* g = gm.data() + s;
      for (i64 j = 0; j < G; ++j) g[j].cnt = 0;
      for (i64 k = 0; k < c; ++k) ++g[rid[k]].cnt;
      i64 pos = s, nd = 0;
      for (i64 j = 0; j < G; ++j) {
        g[j].start = pos;
        pos += g[j].cnt;
        nd += g[j].cnt > 1;
      }
      for (i64 k = 0; k < c; ++k) rs[g[rid[k]].start++] = pr[s + k];
      for (i64 j = 0; j < G; ++j) g[j].start -= g[j].cnt;
      // The partition's keys are consumed: keep each group's key there.
      tab.for_each([&](i64 key, i64 id) { pk[s + id] = key; });
      D[b] = G;
      dups[b] = nd;
    }
  }));
  LAP(tm, "build");
  i64 dmax = 0, ndup = 0;
  std::vector<i64> dbase(P + 1, 0);
  for (i64 p = 0; p < P; ++p) {
    dmax = std::max(dmax, D[p]);
    dbase[p] = ndup;
    ndup += dups[p];
  }
  const i64 cap = std::max<i64>(16, dmax + dmax / 2 + 1);  // slots a partition, load <= 2/3
  Buf<Slot> T(static_cast<size_t>(P * cap), true);
  Buf<Match> dm(std::max<i64>(ndup, 1), true);  // keys with several right rows
  next = 0;
  check(run_threads(nt, [&](int) {
    for (i64 p = next++; p < P; p = next++) {
      Slot* t = T.data() + p * cap;
      for (i64 j = 0; j < cap; ++j) t[j].payload = kEmpty;
      const i64 s = PR.start[p];
      i64 d = dbase[p];
      for (i64 j = 0; j < D[p]; ++j) {
        const i64 key = pk[s + j];
        const Match g = gm[s + j];
        i64 payload;
        if (g.cnt == 1) {
          payload = rs[g.start];
        } else {
          dm[d] = g;
          payload = -d - 1;
          ++d;
        }
        u64 x = ((hash64(static_cast<u64>(key)) & 0xffffffffULL) * static_cast<u64>(cap)) >> 32;
        while (t[x].payload != kEmpty) x = x + 1 == static_cast<u64>(cap) ? 0 : x + 1;
        t[x] = Slot{key, payload};
      }
    }
  }));
  LAP(tm, "table");
  const int shift = 64 - bits;
  const Slot* T0 = T.data();
  const Match* G0 = dm.data();
  Match* match = J.match.data();
  const int ntl = clamp_threads(J.nthreads, n);
  auto probe_one = [&](i64 key, i64 region, i64 x) -> Match {
    const Slot* base = T0 + region;
    for (;;) {
      const Slot& e = base[x];
      if (e.payload == kEmpty) return Match{0, 0};
      if (e.key == key) return e.payload >= 0 ? Match{e.payload, 1} : G0[-e.payload - 1];
      if (++x == cap) x = 0;
    }
  };
  if (F.on) {  // most left rows fail the filter: probe the few that pass, in batches
    check(run_threads(ntl, [&](int t) {
      const i64 lo = range_lo(n, ntl, t), hi = range_lo(n, ntl, t + 1);
      constexpr i64 kBatch = 64;
      i64 idx[kBatch], region[kBatch], first[kBatch];
      for (i64 b0 = lo; b0 < hi; b0 += kBatch) {
        const i64 cnt = std::min(kBatch, hi - b0);
        i64 nc = 0;
        if (b0 + kBatch < hi) {  // the next batch's bitmap words
          const i64 e = std::min(kBatch, hi - b0 - kBatch);
          for (i64 j = 0; j < e; ++j) F.prefetch(lk[b0 + kBatch + j]);
        }
        for (i64 j = 0; j < cnt; ++j) {
          const i64 i = b0 + j;
          if (!lv(i)) {
            match[i] = null_match;
          } else if (!F.pass(lk[i])) {
            match[i] = Match{0, 0};
          } else {
            idx[nc++] = i;
          }
        }
        for (i64 c = 0; c < nc; ++c) {
          const u64 h = hash64(static_cast<u64>(lk[idx[c]]));
          region[c] = static_cast<i64>(h >> shift) * cap;
          first[c] = static_cast<i64>(((h & 0xffffffffULL) * static_cast<u64>(cap)) >> 32);
          __builtin_prefetch(T0 + region[c] + first[c]);
        }
        for (i64 c = 0; c < nc; ++c) match[idx[c]] = probe_one(lk[idx[c]], region[c], first[c]);
      }
    }));
    LAP(tm, "probe (filtered)");
    return;
  }
  check(run_threads(ntl, [&](int t) {
    const i64 lo = range_lo(n, ntl, t), hi = range_lo(n, ntl, t + 1);
    constexpr i64 kBatch = 32;
    i64 region[kBatch], first[kBatch];
    for (i64 b0 = lo; b0 < hi; b0 += kBatch) {
      const i64 cnt = std::min(kBatch, hi - b0);
      for (i64 j = 0; j < cnt; ++j) {
        const u64 h = hash64(static_cast<u64>(lk[b0 + j]));
        region[j] = static_cast<i64>(h >> shift) * cap;
        first[j] = static_cast<i64>(((h & 0xffffffffULL) * static_cast<u64>(cap)) >> 32);
        __builtin_prefetch(T0 + region[j] + first[j]);
      }
      for (i64 j = 0; j < cnt; ++j) {
        const i64 i = b0 + j;
        if (!lv(i)) {
          match[i] = null_match;
          continue;
        }
        const i64 key = lk[i];
        const Slot* base = T0 + region[j];
        i64 x = first[j];
        Match r{0, 0};
        for (;;) {
          const Slot& e = base[x];
          if (e.payload == kEmpty) break;
          if (e.key == key) {
            r = e.payload >= 0 ? Match{e.payload, 1} : G0[-e.payload - 1];
            break;
          }
          if (++x == cap) x = 0;
        }
        match[i] = r;
      }
    }
  }));
  LAP(tm, "probe");
}

// The validity of the entries of a compacted key array, through their original row numbers.
struct RowValid {
  const i64* rows;
  Valid v;
  bool any_null() const { return v.any_null(); }
  bool operator()(i64 i) const { return v(rows[i]); }
};

// The right rows (m) that can match a left row under F: keys passing it, and null keys when the
// left side has one. Their keys and row numbers, in row order, into ck / cr; returns the count.
i64 compact_probe(const i64* rk, Valid rv, i64 m, const KeyFilter& F, int nthreads, Buf<i64>& ck,
                  Buf<i64>& cr) {
  const int nt = clamp_threads(nthreads, m);
  Buf<i64> sk(m), sr(m);  // each thread's kept rows at the start of its row range
  std::vector<i64> cnt(nt + 1, 0);
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(m, nt, t), hi = range_lo(m, nt, t + 1);
    i64* k = sk.data() + lo;
    i64* r = sr.data() + lo;
    i64 c = 0;
    if (rv.any_null()) {
      for (i64 i = lo; i < hi; ++i) {
        const i64 key = rk[i];
        k[c] = key;
        r[c] = i;
        if (i + 32 < hi) F.prefetch(rk[i + 32]);
        c += rv(i) ? F.pass(key) : F.build_null;
      }
    } else {
      for (i64 i = lo; i < hi; ++i) {
        const i64 key = rk[i];
        k[c] = key;
        r[c] = i;
        if (i + 32 < hi) F.prefetch(rk[i + 32]);
        c += F.pass(key);
      }
    }
    cnt[t + 1] = c;
  }));
  if (nt == 1) {
    ck = std::move(sk);
    cr = std::move(sr);
    return cnt[1];
  }
  for (int t = 0; t < nt; ++t) cnt[t + 1] += cnt[t];
  const i64 total = cnt[nt];
  ck.reset(total);
  cr.reset(total);
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(m, nt, t), c = cnt[t + 1] - cnt[t];
    std::memcpy(ck.data() + cnt[t], sk.data() + lo, static_cast<size_t>(c) * sizeof(i64));
    std::memcpy(cr.data() + cnt[t], sr.data() + lo, static_cast<size_t>(c) * sizeof(i64));
  }));
  return total;
}

// --- dense unique build keys ---------------------------------------------------------------------

// Where the build side's keys are unique, never null and fill at least 1 in kDenseSlots of their
// range (primary keys, mostly), a key's rank among them is its build row's slot: the key bitmap
// plus the number of set bits before each 64-bit word. One lookup in a few bits a key replaces
// the hash table and the partitioning.
constexpr i64 kDenseMin = i64(1) << 12;  // fewer build rows: the hash join
constexpr u64 kDenseSlots = 256;
constexpr i64 kDenseCounts = i64(1) << 24;  // build-left: at most this many per-thread counters

inline int popcount64(u64 x) {  // no popcnt instruction in the baseline x86-64 target
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
}

struct DenseKeys {
  struct Block {
    u64 bits;  // the keys lo + 64 w + b present
    i64 base;  // keys before this block
  };
  i64 lo = 0;
  u64 span = 0;
  i64 count = 0;
  Buf<Block> blocks;
  Buf<i64> row;  // the build row of each rank
  bool has(i64 key) const {
    const u64 d = static_cast<u64>(key) - static_cast<u64>(lo);
    const bool in = d <= span;
    return ((blocks[in ? d >> 6 : 0].bits >> (d & 63)) & static_cast<u64>(in)) != 0;
  }
  // The key's rank, or `count` when it is not a build key (no branches: probe keys often
  // miss at random).
  i64 id(i64 key) const {
    const u64 d = static_cast<u64>(key) - static_cast<u64>(lo);
    const bool in = d <= span;
    const Block& bl = blocks[in ? d >> 6 : 0];
    const int b = static_cast<int>(d & 63);
    const u64 hit = ((bl.bits >> b) & 1) & static_cast<u64>(in);
    const i64 r = bl.base + popcount64(bl.bits & ((u64(1) << b) - 1));
    return hit ? r : count;
  }
};

// Fill D from the nb build keys if they qualify (see above); false otherwise.
bool make_dense(const i64* bk, Valid bv, i64 nb, int nthreads, DenseKeys& D) {
  if (nb < kDenseMin || nb >= (i64(1) << 32) || bv.any_null()) return false;
  KeyFilter F;
  if (!fill_filter(bk, bv, nb, nthreads, true, F, true)) return false;
  if (F.span / kDenseSlots >= static_cast<u64>(nb)) return false;
  const i64 W = static_cast<i64>(F.span / 64 + 1);
  D.lo = F.lo;
  D.span = F.span;
  D.count = nb;
  D.blocks.reset(W, true);
  i64 total = 0;
  for (i64 w = 0; w < W; ++w) {
    D.blocks[w] = DenseKeys::Block{F.words[w], total};
    total += popcount64(F.words[w]);
  }
  if (total != nb) return false;  // duplicate keys
  D.row.reset(nb + 1, true);
  i64* row = D.row.data();
  row[nb] = -1;
  const int nt = clamp_threads(nthreads, nb);
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(nb, nt, t), hi = range_lo(nb, nt, t + 1);
    for (i64 k = lo; k < hi; ++k) row[D.id(bk[k])] = k;
  }));
  return true;
}

// The join through D, the dense keys of the build side (left when build_left).
void join_dense(const i64* lk, Valid lv, i64 n, const i64* rk, Valid rv, i64 m, bool build_left,
                const DenseKeys& D, Join& J) {
  TIMER(tm, "join dense");
  Match* match = J.match.data();
  const i64* row = D.row.data();
  const i64 none = D.count;
  if (!build_left) {
    const int nt = clamp_threads(J.nthreads, n);
    check(run_threads(nt, [&](int t) {
      const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
      for (i64 i = lo; i < hi; ++i) {
        const i64 r = row[lv(i) ? D.id(lk[i]) : none];
        match[i] = Match{r < 0 ? 0 : r, r >= 0};
      }
    }));
    LAP(tm, "probe");
    return;
  }
  // Each left row (one per rank) gets its right rows in right order: one pass over the right
  // keys keeps each thread's hits (row, rank) and counts them per rank, then they are placed.
  const int nt = clamp_threads(J.nthreads, m);
  Buf<i64> cnt_t(static_cast<size_t>(n) * nt);
  cnt_t.zero();
  Buf<i64> hit_row(m), hit_id(m);  // each thread's hits at the start of its row range
  std::vector<i64> hits(nt, 0);
  check(run_threads(nt, [&](int t) {
    i64* c = cnt_t.data() + static_cast<size_t>(t) * n;
    const i64 lo = range_lo(m, nt, t), hi = range_lo(m, nt, t + 1);
    i64* hr = hit_row.data() + lo;
    i64* hid = hit_id.data() + lo;
    i64 h = 0;
    constexpr i64 kChunk = 2048;  // candidates ranked while their keys are still in cache
    i64 cand[kChunk];
    for (i64 b0 = lo; b0 < hi; b0 += kChunk) {
      const i64 b1 = std::min(hi, b0 + kChunk);
      i64 nc = 0;
      for (i64 k = b0; k < b1; ++k) {
        cand[nc] = k;
        nc += rv(k) && D.has(rk[k]);
      }
      for (i64 j = 0; j < nc; ++j) {
        const i64 k = cand[j];
        const i64 id = D.id(rk[k]);
        hr[h] = k;
        hid[h] = id;
        ++c[id];
        ++h;
      }
    }
    hits[t] = h;
  }));
  LAP(tm, "probe");
  Buf<Match> gm(n);
  i64 pos = 0;
  for (i64 g = 0; g < n; ++g) {
    gm[g].start = pos;
    for (int t = 0; t < nt; ++t) {
      i64& c = cnt_t[static_cast<size_t>(t) * n + g];
      const i64 v = c;
      c = pos;
      pos += v;
    }
    gm[g].cnt = pos - gm[g].start;
  }
  i64* rs = J.rsorted.data();
  check(run_threads(nt, [&](int t) {
    i64* cur = cnt_t.data() + static_cast<size_t>(t) * n;
    const i64 lo = range_lo(m, nt, t);
    const i64* hr = hit_row.data() + lo;
    const i64* hid = hit_id.data() + lo;
    for (i64 j = 0; j < hits[t]; ++j) rs[cur[hid[j]]++] = hr[j];
  }));
  LAP(tm, "place");
  const int ntl = clamp_threads(J.nthreads, n);
  check(run_threads(ntl, [&](int t) {
    const i64 lo = range_lo(n, ntl, t), hi = range_lo(n, ntl, t + 1);
    for (i64 g = lo; g < hi; ++g) {
      Match x = gm[g];
      if (x.cnt == 1) x.start = rs[x.start];
      match[row[g]] = x;
    }
  }));
  LAP(tm, "to left order");
}

Join* join_new(const i64* lk, Valid lv, i64 n, const i64* rk, Valid rv, i64 m, int nthreads) {
  auto J = new Join();
  try {
    J->n = n;
    J->m = m;
    J->nthreads = std::max(1, nthreads);
    J->match.reset(n);
    J->rsorted.reset(m);
    const bool build_left = n < m;
    const i64 build = build_left ? n : m;
    if (!build_left || build * std::min(J->nthreads, 64) <= kDenseCounts) {
      TIMER(tm0, "join new");
      DenseKeys D;
      if (build_left ? make_dense(lk, lv, n, J->nthreads, D) : make_dense(rk, rv, m, J->nthreads, D)) {
        LAP(tm0, "make dense");
        join_dense(lk, lv, n, rk, rv, m, build_left, D, *J);
        return J;
      }
    }
    // A bitmap of the build keys where it pays (few probe rows match): probe rows failing it
    // skip the probe, or on the partitioned build-left path are not partitioned at all.
    KeyFilter F;
    if (build_left) {
      make_filter(lk, lv, n, rk, rv, m, J->nthreads, build <= kJoinSingleMax ? 0.5 : 0.75, F);
    } else {
      make_filter(rk, rv, m, lk, lv, n, J->nthreads, 0.5, F);
    }
    if (build <= kJoinSingleMax) {
      View L{lk, nullptr, n, lv.any_null() ? 2 : 0, lv};
      View R{rk, nullptr, m, rv.any_null() ? 2 : 0, rv};
      join_step(L, R, build_left, 0, J->nthreads, J->match.data(), J->rsorted.data(),
                F.on ? &F : nullptr);
      return J;
    }
    const int bits =
        std::min(12, std::max(1, ceil_log2(static_cast<u64>(build)) - kJoinPartRowsLog2));
    if (!build_left) {
      join_right_table(lk, lv, n, rk, rv, m, bits, F, *J);
      return J;
    }
    TIMER(tm, "join");
    Partitions PL, PR;
    partition(lk, lv, n, bits, J->nthreads, false, true, PL);
    LAP(tm, "partition left");
    if (F.on) {  // partition only the right rows that can match (rows keep their numbers)
      Buf<i64> ck, cr;
      const i64 mc = compact_probe(rk, rv, m, F, J->nthreads, ck, cr);
      LAP(tm, "filter right");
      partition(ck.data(), RowValid{cr.data(), rv}, mc, bits, J->nthreads, true, false, PR,
                cr.data());
    } else {
      partition(rk, rv, m, bits, J->nthreads, true, false, PR);
    }
    LAP(tm, "partition right");
    // Matches of the left rows in partition order, then gathered into left order.
    Buf<Match> pm(n);
    const i64 B = PL.parts + 1;
    std::atomic<i64> next{0};
    const int nt = clamp_threads(J->nthreads, build);
    check(run_threads(nt, [&](int) {
      for (i64 b = next++; b < B; b = next++) {
        const int nulls = b == B - 1 ? 1 : 0;
        View L{PL.keys.data() + PL.start[b], nullptr, PL.start[b + 1] - PL.start[b], nulls,
               Valid{}};
        View R{PR.keys.data() + PR.start[b], PR.rows.data() + PR.start[b],
               PR.start[b + 1] - PR.start[b], nulls, Valid{}};
        join_step(L, R, build_left, PR.start[b], 1, pm.data() + PL.start[b],
                  J->rsorted.data());
      }
    }));
    LAP(tm, "partitions");
    const i64* pos = PL.pos.data();
    Match* match = J->match.data();
    const int ntl = clamp_threads(J->nthreads, n);
    check(run_threads(ntl, [&](int t) {
      const i64 lo = range_lo(n, ntl, t), hi = range_lo(n, ntl, t + 1);
      for (i64 i = lo; i < hi; ++i) match[i] = pm[pos[i]];
    }));
    LAP(tm, "to left order");
    return J;
  } catch (...) {
    delete J;
    return nullptr;
  }
}

i64 join_offsets(Join& J, bool keep) {
  const i64 n = J.n;
  if (J.off_keep == static_cast<int>(keep)) return J.off[n];
  if (J.off.size() != static_cast<size_t>(n + 1)) J.off.reset(n + 1);
  J.off_keep = -1;
  const Match* match = J.match.data();
  i64* off = J.off.data();
  const int nt = clamp_threads(J.nthreads, n);
  std::vector<i64> part(nt + 1, 0);
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    i64 s = 0;
    for (i64 i = lo; i < hi; ++i) s += (keep && match[i].cnt == 0) ? 1 : match[i].cnt;
    part[t + 1] = s;
  }));
  for (int t = 0; t < nt; ++t) part[t + 1] += part[t];
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    i64 s = part[t];
    for (i64 i = lo; i < hi; ++i) {
      off[i] = s;
      s += (keep && match[i].cnt == 0) ? 1 : match[i].cnt;
    }
  }));
  off[n] = part[nt];
  J.off_keep = keep;
  return off[n];
}

void join_fill(Join& J, bool keep, i64* li, i64* ri) {
  TIMER(tm, "join");
  const i64 n = J.n;
  const Match* match = J.match.data();
  const i64* off = J.off.data();
  const i64* rs = J.rsorted.data();
  const int nt = clamp_threads(J.nthreads, std::max(n, off[n]));
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      const i64 o = off[i];
      const i64 c = match[i].cnt;
      if (c == 1) {
        li[o] = i;
        ri[o] = match[i].start;
        continue;
      }
      if (c == 0) {
        if (keep) {
          li[o] = i;
          ri[o] = -1;
        }
        continue;
      }
      const i64* src = rs + match[i].start;
      for (i64 j = 0; j < c; ++j) {
        li[o + j] = i;
        ri[o + j] = src[j];
      }
    }
  }));
  LAP(tm, "fill");
}

// --- group ids ---------------------------------------------------------------------------------

constexpr i64 kGroupSmallMax = i64(1) << 16;  // more distinct keys: radix-partitioned path

// Unpartitioned: one table per thread over its row range, merged in thread order so ids follow
// first appearance. False when a thread sees more than kGroupSmallMax keys (nothing to keep).
bool group_small(const i64* keys, Valid valid, i64 n, int nthreads, i64* gid, i64* first,
                 i64* ngroups) {
  const int nt = clamp_threads(nthreads, n);
  std::vector<Table> tabs(nt);
  std::vector<std::vector<i64>> firsts(nt);
  std::atomic<bool> abort{false};
  check(run_threads(nt, [&](int t) {
    Table& tab = tabs[t];
    tab.init(256);
    std::vector<i64>& fr = firsts[t];
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      if (!valid(i)) {
        gid[i] = -1;
        continue;
      }
      const i64 before = tab.size();
      const i64 id = tab.insert(keys[i]);
      gid[i] = id;
      if (id == before) {
        fr.push_back(i);
        if (id >= kGroupSmallMax) {
          abort.store(true, std::memory_order_relaxed);
          return;
        }
        if ((id & 1023) == 0 && abort.load(std::memory_order_relaxed)) return;
      }
    }
  }));
  if (abort.load()) return false;
  Table& g0 = tabs[0];
  for (size_t j = 0; j < firsts[0].size(); ++j) first[j] = firsts[0][j];
  std::vector<std::vector<i64>> remap(nt);
  for (int t = 1; t < nt; ++t) {
    remap[t].resize(firsts[t].size());
    for (size_t l = 0; l < firsts[t].size(); ++l) {
      const i64 row = firsts[t][l];
      const i64 before = g0.size();
      const i64 g = g0.insert(keys[row]);
      if (g == before) first[g] = row;
      remap[t][l] = g;
    }
  }
  if (nt > 1) {
    check(run_threads(nt - 1, [&](int tt) {
      const int t = tt + 1;
      const std::vector<i64>& rm = remap[t];
      const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
      for (i64 i = lo; i < hi; ++i) {
        if (gid[i] >= 0) gid[i] = rm[gid[i]];
      }
    }));
  }
  *ngroups = g0.size();
  return true;
}

// Radix-partitioned: ids partition-major, first appearance within a partition.
void group_partitioned(const i64* keys, Valid valid, i64 n, int nthreads, i64* gid, i64* first,
                       i64* ngroups) {
  const int bits = std::min(10, std::max(1, ceil_log2(static_cast<u64>(n)) - 14));
  Partitions P;
  partition(keys, valid, n, bits, nthreads, true, false, P);
  const i64 parts = P.parts;
  Buf<i64> lid(P.start[parts]);
  std::vector<i64> count(parts + 1, 0);
  i64* pk = P.keys.data();  // reused for each partition's first rows (written behind the reads)
  const i64* pr = P.rows.data();
  const int nt = clamp_threads(nthreads, n);
  std::atomic<i64> next{0};
  check(run_threads(nt, [&](int) {
    for (i64 p = next++; p < parts; p = next++) {
      const i64 s = P.start[p], e = P.start[p + 1];
      Table tab;
      tab.init(std::min<i64>(e - s, i64(1) << 14));
      for (i64 k = s; k < e; ++k) {
        const i64 before = tab.size();
        const i64 id = tab.insert(pk[k]);
        lid[k] = id;
        if (id == before) pk[s + id] = pr[k];
      }
      count[p] = tab.size();
    }
  }));
  std::vector<i64> base(parts + 1, 0);
  for (i64 p = 0; p < parts; ++p) base[p + 1] = base[p] + count[p];
  next = 0;
  check(run_threads(nt, [&](int) {
    for (i64 p = next++; p <= parts; p = next++) {
      const i64 s = P.start[p], e = P.start[p + 1];
      if (p == parts) {
        for (i64 k = s; k < e; ++k) gid[pr[k]] = -1;
        continue;
      }
      const i64 b = base[p];
      for (i64 k = s; k < e; ++k) gid[pr[k]] = b + lid[k];
      for (i64 g = 0; g < count[p]; ++g) first[b + g] = pk[s + g];
    }
  }));
  *ngroups = base[parts];
}

// --- accumulators ------------------------------------------------------------------------------

enum AggOp { kSum = 0, kMin = 1, kMax = 2, kCount = 3, kFirst = 4, kLast = 5, kSumF = 6 };

template <class T>
struct MinOp {
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
    return std::numeric_limits<T>::max();
  }
  // Arrow's semantics: NaN is skipped unless every value is NaN.
  static T apply(T a, T v) {
    if constexpr (std::is_floating_point_v<T>) return (std::isnan(a) || v < a) ? v : a;
    return v < a ? v : a;
  }
};
template <class T>
struct MaxOp {
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
    return std::numeric_limits<T>::min();
  }
  static T apply(T a, T v) {
    if constexpr (std::is_floating_point_v<T>) return (std::isnan(a) || v > a) ? v : a;
    return v > a ? v : a;
  }
};
template <class T>
struct SumOp {
  static T init() { return T(0); }
  static T apply(T a, T v) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(static_cast<u64>(a) + static_cast<u64>(v));
    } else {
      return a + v;
    }
  }
};

// out[g] = fold of In values of group g, cnt[g] = their number (cnt may be null).
template <class In, class Out, class Op>
void fold(const i64* gid, i64 n, const In* vals, Valid valid, i64 G, int nthreads, Out* out,
          i64* cnt) {
  const int nt = clamp_threads(nthreads, n);
  std::vector<Buf<Out>> outs(nt);
  std::vector<Buf<i64>> cnts(nt);
  for (int t = 0; t < nt; ++t) {
    Out* o = out;
    i64* c = cnt;
    if (t > 0) {
      outs[t].reset(G);
      o = outs[t].data();
      if (cnt) {
        cnts[t].reset(G);
        c = cnts[t].data();
      }
    }
    std::fill(o, o + G, Op::init());
    if (c) std::fill(c, c + G, i64(0));
  }
  check(run_threads(nt, [&](int t) {
    Out* o = t ? outs[t].data() : out;
    i64* c = t ? (cnt ? cnts[t].data() : nullptr) : cnt;
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    if (!valid.any_null()) {
      if (c) {
        for (i64 i = lo; i < hi; ++i) {
          const i64 g = gid[i];
          if (g < 0) continue;
          o[g] = Op::apply(o[g], static_cast<Out>(vals[i]));
          ++c[g];
        }
      } else {
        for (i64 i = lo; i < hi; ++i) {
          const i64 g = gid[i];
          if (g >= 0) o[g] = Op::apply(o[g], static_cast<Out>(vals[i]));
        }
      }
      return;
    }
    for (i64 i = lo; i < hi; ++i) {
      const i64 g = gid[i];
      if (g < 0 || !valid(i)) continue;
      o[g] = Op::apply(o[g], static_cast<Out>(vals[i]));
      if (c) ++c[g];
    }
  }));
  for (int t = 1; t < nt; ++t) {
    const Out* o = outs[t].data();
    const i64* c = cnt ? cnts[t].data() : nullptr;
    for (i64 g = 0; g < G; ++g) {
      if (c == nullptr || c[g] > 0) out[g] = Op::apply(out[g], o[g]);
      if (c) cnt[g] += c[g];
    }
  }
}

void count_valid(const i64* gid, i64 n, Valid valid, i64 G, int nthreads, i64* out) {
  const int nt = clamp_threads(nthreads, n);
  std::vector<Buf<i64>> outs(nt);
  for (int t = 1; t < nt; ++t) outs[t].reset(G);
  check(run_threads(nt, [&](int t) {
    i64* o = t ? outs[t].data() : out;
    std::fill(o, o + G, i64(0));
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      const i64 g = gid[i];
      if (g >= 0 && valid(i)) ++o[g];
    }
  }));
  for (int t = 1; t < nt; ++t)
    for (i64 g = 0; g < G; ++g) out[g] += outs[t][g];
}

// out[g] = the first (last) row of group g with a valid value, -1 if none.
void first_last(const i64* gid, i64 n, Valid valid, i64 G, int nthreads, bool last, i64* out) {
  const int nt = clamp_threads(nthreads, n);
  std::vector<Buf<i64>> outs(nt);
  for (int t = 1; t < nt; ++t) outs[t].reset(G);
  check(run_threads(nt, [&](int t) {
    i64* o = t ? outs[t].data() : out;
    std::fill(o, o + G, i64(-1));
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    if (last) {
      for (i64 i = lo; i < hi; ++i) {
        const i64 g = gid[i];
        if (g >= 0 && valid(i)) o[g] = i;
      }
    } else {
      for (i64 i = hi - 1; i >= lo; --i) {
        const i64 g = gid[i];
        if (g >= 0 && valid(i)) o[g] = i;
      }
    }
  }));
  for (int t = 1; t < nt; ++t) {
    for (i64 g = 0; g < G; ++g) {
      const i64 r = outs[t][g];
      if (r >= 0 && (last || out[g] < 0)) out[g] = r;
    }
  }
}

// --- radix argsort -----------------------------------------------------------------------------

struct KV {
  u64 k;
  u64 i;
};

// Element accessors: the sort key bits and the row index. Packed: u64 (key << ibits) | row.
struct PackedAcc {
  int ibits;
  u64 key(u64 e) const { return e >> ibits; }
  i64 index(u64 e) const { return static_cast<i64>(e & ((u64(1) << ibits) - 1)); }
};
struct KVAcc {
  u64 key(const KV& e) const { return e.k; }
  i64 index(const KV& e) const { return static_cast<i64>(e.i); }
};

// Stable LSD radix sort of a[0, n) by key bits [0, hi) with 8-bit digits, skipping digits that
// do not vary. tmp has room for n. The result ends in a.
template <class E, class Acc>
void lsd(E* a, E* tmp, i64 n, int hi, const Acc& acc) {
  if (n < 2 || hi <= 0) return;
  if (n <= 24) {  // insertion sort (stable)
    for (i64 i = 1; i < n; ++i) {
      E v = a[i];
      const u64 kv = acc.key(v);
      i64 j = i - 1;
      while (j >= 0 && acc.key(a[j]) > kv) {
        a[j + 1] = a[j];
        --j;
      }
      a[j + 1] = v;
    }
    return;
  }
  const int passes = (hi + 7) / 8;
  std::vector<i64> hist(static_cast<size_t>(passes) * 256, 0);
  for (i64 i = 0; i < n; ++i) {
    u64 k = acc.key(a[i]);
    for (int p = 0; p < passes; ++p) ++hist[p * 256 + ((k >> (8 * p)) & 0xFF)];
  }
  E* src = a;
  E* dst = tmp;
  for (int p = 0; p < passes; ++p) {
    i64* h = hist.data() + p * 256;
    bool trivial = false;
    for (int d = 0; d < 256 && !trivial; ++d) trivial = h[d] == n;
    if (trivial) continue;
    i64 pos = 0;
    for (int d = 0; d < 256; ++d) {
      i64 c = h[d];
      h[d] = pos;
      pos += c;
    }
    const int sh = 8 * p;
    for (i64 i = 0; i < n; ++i) {
      const E e = src[i];
      dst[h[(acc.key(e) >> sh) & 0xFF]++] = e;
    }
    std::swap(src, dst);
  }
  if (src != a) std::memcpy(static_cast<void*>(a), static_cast<const void*>(src), sizeof(E) * n);
}

// Stable sort of a[0, n) by key bits [0, nb): one parallel MSD pass on the top bits into
// cache-sized buckets, then LSD within each bucket. Result in a; tmp has room for n.
template <class E, class Acc>
void radix_sort(E* a, E* tmp, i64 n, int nb, int nthreads, const Acc& acc) {
  if (n < 2 || nb <= 0) return;
  if (n <= (i64(1) << 14)) {
    lsd(a, tmp, n, nb, acc);
    return;
  }
  const int d = std::max(1, std::min({nb, 11, ceil_log2(static_cast<u64>(n)) - 11}));
  const int shift = nb - d;
  const i64 B = i64(1) << d;
  const u64 dmask = static_cast<u64>(B - 1);
  const int nt = clamp_threads(nthreads, n);
  std::vector<i64> hist(static_cast<size_t>(B) * nt, 0);
  check(run_threads(nt, [&](int t) {
    i64* h = hist.data() + static_cast<size_t>(t) * B;
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) ++h[(acc.key(a[i]) >> shift) & dmask];
  }));
  std::vector<i64> start(B + 1, 0);
  i64 pos = 0;
  for (i64 b = 0; b < B; ++b) {
    start[b] = pos;
    for (int t = 0; t < nt; ++t) {
      i64& h = hist[static_cast<size_t>(t) * B + b];
      i64 c = h;
      h = pos;
      pos += c;
    }
  }
  start[B] = pos;
  check(run_threads(nt, [&](int t) {
    i64* cur = hist.data() + static_cast<size_t>(t) * B;
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      const E e = a[i];
      tmp[cur[(acc.key(e) >> shift) & dmask]++] = e;
    }
  }));
  // tmp holds the buckets; sort each within tmp using a as scratch, then copy back in place.
  std::atomic<i64> next{0};
  check(run_threads(nt, [&](int) {
    for (i64 b = next++; b < B; b = next++) {
      const i64 s = start[b], c = start[b + 1] - s;
      if (c == 0) continue;
      lsd(tmp + s, a + s, c, shift, acc);
      std::memcpy(static_cast<void*>(a + s), static_cast<const void*>(tmp + s), sizeof(E) * c);
    }
  }));
}

inline u64 order_bits_i64(i64 v) { return static_cast<u64>(v) ^ (u64(1) << 63); }
inline u64 order_bits_f64(double v) {
  v += 0.0;  // -0.0 -> +0.0: equal keys keep their row order
  u64 b;
  std::memcpy(&b, &v, sizeof b);
  return (b >> 63) ? ~b : (b | (u64(1) << 63));
}

// Stable argsort: valid keys ascending (descending when desc), then NaN rows, then null rows,
// each of those in row order (Arrow's sort_indices with nulls at the end).
template <class T>
void argsort(const T* keys, Valid valid, i64 n, bool desc, int nthreads, i64* out) {
  const int nt = clamp_threads(nthreads, n);
  struct Stat {
    i64 nvalid = 0, nnan = 0, nnull = 0;
    u64 lo = ~u64(0), hi = 0;
  };
  std::vector<Stat> st(nt);
  auto ukey = [&](i64 i) -> u64 {
    u64 u;
    if constexpr (std::is_floating_point_v<T>) {
      u = order_bits_f64(keys[i]);
    } else {
      u = order_bits_i64(keys[i]);
    }
    return desc ? ~u : u;
  };
  auto is_nan = [&](i64 i) -> bool {
    if constexpr (std::is_floating_point_v<T>) {
      return std::isnan(keys[i]);
    } else {
      (void)i;
      return false;
    }
  };
  check(run_threads(nt, [&](int t) {
    Stat s;
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      if (!valid(i)) {
        ++s.nnull;
      } else if (is_nan(i)) {
        ++s.nnan;
      } else {
        ++s.nvalid;
        const u64 u = ukey(i);
        s.lo = std::min(s.lo, u);
        s.hi = std::max(s.hi, u);
      }
    }
    st[t] = s;
  }));
  i64 nvalid = 0, nnan = 0;
  u64 kmin = ~u64(0), kmax = 0;
  for (const Stat& s : st) {
    nvalid += s.nvalid;
    nnan += s.nnan;
    kmin = std::min(kmin, s.lo);
    kmax = std::max(kmax, s.hi);
  }
  // Where each thread's valid / NaN / null rows go.
  std::vector<i64> vpos(nt), npos(nt), zpos(nt);
  i64 pv = 0, pn = nvalid, pz = nvalid + nnan;
  for (int t = 0; t < nt; ++t) {
    vpos[t] = pv;
    npos[t] = pn;
    zpos[t] = pz;
    pv += st[t].nvalid;
    pn += st[t].nnan;
    pz += st[t].nnull;
  }
  const int nb = nvalid ? bit_width(kmax - kmin) : 0;
  const int ibits = std::max(1, bit_width(static_cast<u64>(n > 0 ? n - 1 : 0)));
  auto place_rest = [&](int t, i64 i) {
    if (!valid(i)) {
      out[zpos[t]++] = i;
    } else {
      out[npos[t]++] = i;
    }
  };
  const bool has_rest = nvalid != n;
  if (nb == 0) {
    check(run_threads(nt, [&](int t) {
      const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
      for (i64 i = lo; i < hi; ++i) {
        if (!has_rest || (valid(i) && !is_nan(i))) {
          out[vpos[t]++] = i;
        } else {
          place_rest(t, i);
        }
      }
    }));
    return;
  }
  if (nb + ibits <= 64) {
    Buf<u64> a(nvalid), tmp(nvalid);
    check(run_threads(nt, [&](int t) {
      const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
      u64* dst = a.data();
      for (i64 i = lo; i < hi; ++i) {
        if (!has_rest || (valid(i) && !is_nan(i))) {
          dst[vpos[t]++] = ((ukey(i) - kmin) << ibits) | static_cast<u64>(i);
        } else {
          place_rest(t, i);
        }
      }
    }));
    PackedAcc acc{ibits};
    radix_sort(a.data(), tmp.data(), nvalid, nb, nthreads, acc);
    const int ntv = clamp_threads(nthreads, nvalid);
    const u64 imask = (u64(1) << ibits) - 1;
    check(run_threads(ntv, [&](int t) {
      const i64 lo = range_lo(nvalid, ntv, t), hi = range_lo(nvalid, ntv, t + 1);
      for (i64 j = lo; j < hi; ++j) out[j] = static_cast<i64>(a[j] & imask);
    }));
    return;
  }
  Buf<KV> a(nvalid), tmp(nvalid);
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    KV* dst = a.data();
    for (i64 i = lo; i < hi; ++i) {
      if (!has_rest || (valid(i) && !is_nan(i))) {
        dst[vpos[t]++] = KV{ukey(i) - kmin, static_cast<u64>(i)};
      } else {
        place_rest(t, i);
      }
    }
  }));
  KVAcc acc;
  radix_sort(a.data(), tmp.data(), nvalid, nb, nthreads, acc);
  const int ntv = clamp_threads(nthreads, nvalid);
  check(run_threads(ntv, [&](int t) {
    const i64 lo = range_lo(nvalid, ntv, t), hi = range_lo(nvalid, ntv, t + 1);
    for (i64 j = lo; j < hi; ++j) out[j] = static_cast<i64>(a[j].i);
  }));
}

// --- short strings ---------------------------------------------------------------------------

// A string of at most 7 bytes as an int64 that orders like the bytes (big-endian in the high 7
// bytes, the length in the low byte, the sign bit flipped for signed comparison).
template <class O>
bool pack_strings(const O* offsets, const u8* data, Valid valid, i64 off, i64 n, int nthreads,
                  i64* out) {
  const int nt = clamp_threads(nthreads, n);
  std::atomic<bool> too_long{false};
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    for (i64 i = lo; i < hi; ++i) {
      const i64 a = static_cast<i64>(offsets[off + i]), b = static_cast<i64>(offsets[off + i + 1]);
      const i64 len = b - a;
      if (len > 7 || len < 0) {
        if (valid(i)) {
          too_long.store(true, std::memory_order_relaxed);
          return;
        }
        out[i] = 0;
        continue;
      }
      u64 v = 0;
      for (i64 j = 0; j < len; ++j) v |= static_cast<u64>(data[a + j]) << (56 - 8 * j);
      out[i] = static_cast<i64>((v | static_cast<u64>(len)) ^ (u64(1) << 63));
    }
  }));
  return !too_long.load();
}

// --- gather ------------------------------------------------------------------------------------

// The values at the rows with sel[i] set, in order, into dst (room for n); returns their number.
template <class T>
i64 compact(const T* src, const u8* sel, i64 n, T* dst) {
  i64 c = 0;
  for (i64 i = 0; i < n; ++i) {
    dst[c] = src[i];
    c += sel[i] != 0;
  }
  return c;
}

// dst[i] = row idx[i] (0 where idx[i] < 0) of a column in nchunks chunks, chunk c holding rows
// [starts[c], starts[c + 1]).
template <class T>
void gather(const void* const* srcs, const i64* starts, i64 nchunks, const i64* idx, i64 n,
            int nthreads, T* dst) {
  // Rows in buckets of 2^shift, about 4 a chunk: first[b] is the chunk of bucket b's first row.
  int shift = 0;
  std::vector<i64> first;
  if (nchunks > 1) {
    const i64 total = starts[nchunks];
    while ((total >> shift) > 4 * nchunks) ++shift;
    first.resize(static_cast<size_t>(total >> shift) + 1);
    i64 c = 0;
    for (size_t b = 0; b < first.size(); ++b) {
      while (c + 1 < nchunks && (static_cast<i64>(b) << shift) >= starts[c + 1]) ++c;
      first[b] = c;
    }
  }
  const int nt = clamp_threads(nthreads, n);
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    if (nchunks == 1) {
      const T* src = static_cast<const T*>(srcs[0]);
      for (i64 i = lo; i < hi; ++i) {
        const i64 j = idx[i];
        dst[i] = j >= 0 ? src[j] : T(0);
      }
      return;
    }
    for (i64 i = lo; i < hi; ++i) {
      const i64 j = idx[i];
      if (j < 0) {
        dst[i] = T(0);
        continue;
      }
      i64 c = first[j >> shift];
      while (j >= starts[c + 1]) ++c;
      dst[i] = static_cast<const T*>(srcs[c])[j - starts[c]];
    }
  }));
}

// --- hash partitioning (the shuffle across ranks) --------------------------------------------

// splitmix64's finalizer, as runtime/kernels/distributed.py `_mix` (uint64 wrapping).
inline u64 mix64(u64 h) {
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

// Destination of each row, `hash_rows` of one int64 key column modulo nparts, then the rows in
// destination order (stable: each destination's rows keep their order). counts[d]: rows to d.
void hash_partition(const i64* keys, Valid valid, i64 n, i64 nparts, int nthreads, i64* counts,
                    i64* order) {
  constexpr u64 kGold = 0x9E3779B97F4A7C15ULL, kNull = 0x6A09E667F3BCC909ULL;
  const u64 p = static_cast<u64>(nparts);
  const bool pow2 = (p & (p - 1)) == 0;  // then % p is a mask
  Buf<uint32_t> dest(std::max<i64>(n, 1));
  const int nt = clamp_threads(nthreads, n);
  std::vector<std::vector<i64>> hist(nt, std::vector<i64>(nparts, 0));
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    i64* h = hist[t].data();
    for (i64 i = lo; i < hi; ++i) {
      const u64 col = valid(i) ? mix64(static_cast<u64>(keys[i]) ^ kGold) : kNull;
      const u64 x = mix64(kGold * 31 + col);
      const u64 d = pow2 ? (x & (p - 1)) : x % p;
      dest[i] = static_cast<uint32_t>(d);
      ++h[d];
    }
  }));
  std::vector<std::vector<i64>> at(nt, std::vector<i64>(nparts, 0));
  i64 pos = 0;
  for (i64 d = 0; d < nparts; ++d) {
    counts[d] = 0;
    for (int t = 0; t < nt; ++t) {
      at[t][d] = pos;
      pos += hist[t][d];
      counts[d] += hist[t][d];
    }
  }
  check(run_threads(nt, [&](int t) {
    const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
    i64* a = at[t].data();
    for (i64 i = lo; i < hi; ++i) order[a[dest[i]]++] = i;
  }));
}

}  // namespace

// --- C ABI -------------------------------------------------------------------------------------

extern "C" {

int cyl_abi_version(void) { return CYL_ABI_VERSION; }

int64_t cyl_cached_bytes(void) { return static_cast<int64_t>(block_cache().total()); }

void cyl_release_memory(void) { block_cache().trim(); }

void cyl_set_cache_limit(int64_t bytes) {
  block_cache().set_limit(bytes > 0 ? static_cast<size_t>(bytes) : 0);
}

void* cyl_join_new(const int64_t* lkeys, const uint8_t* lvalid, int64_t loff, int64_t n,
                   const int64_t* rkeys, const uint8_t* rvalid, int64_t roff, int64_t m,
                   int nthreads) {
  if (n < 0 || m < 0 || (n > 0 && lkeys == nullptr) || (m > 0 && rkeys == nullptr))
    return nullptr;
  return join_new(lkeys, Valid{lvalid, loff}, n, rkeys, Valid{rvalid, roff}, m, nthreads);
}

int64_t cyl_join_size(void* h, int keep_unmatched) {
  if (h == nullptr) return -1;
  try {
    return join_offsets(*static_cast<Join*>(h), keep_unmatched != 0);
  } catch (...) {
    return -1;
  }
}

int cyl_join_fill(void* h, int keep_unmatched, int64_t* li, int64_t* ri) {
  if (h == nullptr) return -1;
  Join& J = *static_cast<Join*>(h);
  try {
    join_offsets(J, keep_unmatched != 0);
    join_fill(J, keep_unmatched != 0, li, ri);
    return 0;
  } catch (...) {
    return -1;
  }
}

int cyl_join_counts(void* h, int64_t* out) {
  if (h == nullptr) return -1;
  Join& J = *static_cast<Join*>(h);
  for (i64 i = 0; i < J.n; ++i) out[i] = J.match[i].cnt;
  return 0;
}

void cyl_join_free(void* h) { delete static_cast<Join*>(h); }

int64_t cyl_group_ids(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                      int nthreads, int64_t* gid, int64_t* first_row) {
  if (n < 0 || (n > 0 && (keys == nullptr || gid == nullptr || first_row == nullptr))) return -1;
  if (n == 0) return 0;
  try {
    i64 G = 0;
    Valid v{valid, voff};
    if (!group_small(keys, v, n, nthreads, gid, first_row, &G))
      group_partitioned(keys, v, n, nthreads, gid, first_row, &G);
    return G;
  } catch (...) {
    return -1;
  }
}

int cyl_group_agg(int op, int dtype, const int64_t* gid, int64_t n, const void* values,
                  const uint8_t* valid, int64_t voff, int64_t ngroups, int nthreads, void* out,
                  int64_t* out_count) {
  if (n < 0 || ngroups < 0 || (n > 0 && gid == nullptr) || out == nullptr) return -1;
  Valid v{valid, voff};
  try {
    switch (op) {
      case kCount:
        count_valid(gid, n, v, ngroups, nthreads, static_cast<i64*>(out));
        return 0;
      case kFirst:
      case kLast:
        first_last(gid, n, v, ngroups, nthreads, op == kLast, static_cast<i64*>(out));
        return 0;
      default:
        break;
    }
    if (n > 0 && values == nullptr) return -1;
    if (dtype == CYL_F64) {
      const double* x = static_cast<const double*>(values);
      double* o = static_cast<double*>(out);
      if (op == kSum || op == kSumF)
        fold<double, double, SumOp<double>>(gid, n, x, v, ngroups, nthreads, o, out_count);
      else if (op == kMin)
        fold<double, double, MinOp<double>>(gid, n, x, v, ngroups, nthreads, o, out_count);
      else if (op == kMax)
        fold<double, double, MaxOp<double>>(gid, n, x, v, ngroups, nthreads, o, out_count);
      else
        return -1;
      return 0;
    }
    if (dtype == CYL_I64) {
      const i64* x = static_cast<const i64*>(values);
      if (op == kSumF) {
        fold<i64, double, SumOp<double>>(gid, n, x, v, ngroups, nthreads,
                                         static_cast<double*>(out), out_count);
        return 0;
      }
      i64* o = static_cast<i64*>(out);
      if (op == kSum)
        fold<i64, i64, SumOp<i64>>(gid, n, x, v, ngroups, nthreads, o, out_count);
      else if (op == kMin)
        fold<i64, i64, MinOp<i64>>(gid, n, x, v, ngroups, nthreads, o, out_count);
      else if (op == kMax)
        fold<i64, i64, MaxOp<i64>>(gid, n, x, v, ngroups, nthreads, o, out_count);
      else
        return -1;
      return 0;
    }
    return -1;
  } catch (...) {
    return -1;
  }
}

int cyl_argsort(int dtype, const void* keys, const uint8_t* valid, int64_t voff, int64_t n,
                int descending, int nthreads, int64_t* out) {
  if (n < 0 || (n > 0 && (keys == nullptr || out == nullptr))) return -1;
  if (n == 0) return 0;
  try {
    Valid v{valid, voff};
    if (dtype == CYL_I64) {
      argsort(static_cast<const i64*>(keys), v, n, descending != 0, nthreads, out);
    } else if (dtype == CYL_F64) {
      argsort(static_cast<const double*>(keys), v, n, descending != 0, nthreads, out);
    } else {
      return -1;
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

int cyl_pack_strings(int large_offsets, const void* offsets, const uint8_t* data,
                     const uint8_t* valid, int64_t off, int64_t n, int nthreads, int64_t* out) {
  if (n < 0 || (n > 0 && (offsets == nullptr || out == nullptr))) return -1;
  if (n == 0) return 0;
  try {
    Valid v{valid, off};
    const bool ok = large_offsets
        ? pack_strings(static_cast<const int64_t*>(offsets), data, v, off, n, nthreads, out)
        : pack_strings(static_cast<const int32_t*>(offsets), data, v, off, n, nthreads, out);
    return ok ? 0 : 1;
  } catch (...) {
    return -1;
  }
}

void* cyl_key_filter_new(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                         int nthreads) {
  if (n < 0 || (n > 0 && keys == nullptr)) return nullptr;
  auto F = new (std::nothrow) KeyFilter();
  if (F == nullptr) return nullptr;
  try {
    if (!fill_filter(keys, Valid{valid, voff}, n, nthreads, false, *F)) {
      delete F;
      return nullptr;
    }
    F->on = true;
    return F;
  } catch (...) {
    delete F;
    return nullptr;
  }
}

void cyl_key_filter_free(void* h) { delete static_cast<KeyFilter*>(h); }

int64_t cyl_key_filter_rows(void* h, int64_t nchunks, const int64_t* const* keys,
                            const uint8_t* const* valid, const int64_t* voff,
                            const int64_t* starts, int nthreads, int64_t* rows) {
  if (h == nullptr || nchunks < 0 || (nchunks > 0 && (keys == nullptr || valid == nullptr ||
                                                      voff == nullptr || starts == nullptr ||
                                                      rows == nullptr)))
    return -1;
  try {
    const KeyFilter& F = *static_cast<const KeyFilter*>(h);
    const i64 n = nchunks > 0 ? starts[nchunks] : 0;
    const int nt = clamp_threads(nthreads, n);
    std::vector<i64> cnt(nt + 1, 0);
    check(run_threads(nt, [&](int t) {  // each thread's rows at the start of its range
      const i64 lo = range_lo(n, nt, t), hi = range_lo(n, nt, t + 1);
      i64* out = rows + lo;
      i64 c = 0;
      for (i64 ch = 0; ch < nchunks; ++ch) {
        const i64 a = std::max(lo, starts[ch]), b = std::min(hi, starts[ch + 1]);
        if (a >= b) continue;
        const i64 s0 = starts[ch];
        const i64* k = keys[ch];
        const Valid v{valid[ch], voff[ch]};
        if (v.any_null()) {
          for (i64 i = a; i < b; ++i) {
            out[c] = i;
            c += v(i - s0) ? F.pass(k[i - s0]) : F.build_null;
          }
        } else {
          for (i64 i = a; i < b; ++i) {
            out[c] = i;
            c += F.pass(k[i - s0]);
          }
        }
      }
      cnt[t + 1] = c;
    }));
    i64 total = cnt[1];
    for (int t = 1; t < nt; ++t) {
      std::memmove(rows + total, rows + range_lo(n, nt, t), static_cast<size_t>(cnt[t + 1]) * sizeof(i64));
      total += cnt[t + 1];
    }
    return total;
  } catch (...) {
    return -1;
  }
}

int cyl_key_filter_and(void* h, const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                       uint8_t* sel, int64_t* hits) {
  if (h == nullptr || n < 0 || (n > 0 && (keys == nullptr || sel == nullptr)) || hits == nullptr)
    return -1;
  const KeyFilter& F = *static_cast<const KeyFilter*>(h);
  const Valid v{valid, voff};
  // Branch-free: the selection is often near half the rows.
  i64 c = 0;
  if (v.any_null()) {
    for (i64 i = 0; i < n; ++i) {
      const u8 in = sel[i] != 0 && (v(i) ? F.pass_branch_free(keys[i]) : F.build_null);
      sel[i] = in;
      c += in;
    }
  } else {
    for (i64 i = 0; i < n; ++i) {
      const u8 in = (sel[i] != 0) & F.pass_branch_free(keys[i]);
      sel[i] = in;
      c += in;
    }
  }
  *hits = c;
  return 0;
}

int cyl_hash_partition(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                       int64_t nparts, int nthreads, int64_t* counts, int64_t* order) {
  if (n < 0 || nparts < 1 || nparts > (int64_t(1) << 31) || counts == nullptr ||
      (n > 0 && (keys == nullptr || order == nullptr)))
    return -1;
  try {
    hash_partition(keys, Valid{valid, voff}, n, nparts, nthreads, counts, order);
    return 0;
  } catch (...) {
    return -1;
  }
}

int cyl_gather_chunks(int width, int64_t nchunks, const void* const* srcs, const int64_t* starts,
                      const int64_t* idx, int64_t n, int nthreads, void* dst) {
  if (n < 0 || nchunks < 1 || (n > 0 && (srcs == nullptr || starts == nullptr || idx == nullptr ||
                                         dst == nullptr)))
    return -1;
  try {
    switch (width) {
      case 1:
        gather(srcs, starts, nchunks, idx, n, nthreads, static_cast<u8*>(dst));
        return 0;
      case 2:
        gather(srcs, starts, nchunks, idx, n, nthreads, static_cast<uint16_t*>(dst));
        return 0;
      case 4:
        gather(srcs, starts, nchunks, idx, n, nthreads, static_cast<uint32_t*>(dst));
        return 0;
      case 8:
        gather(srcs, starts, nchunks, idx, n, nthreads, static_cast<u64*>(dst));
        return 0;
      default:
        return -1;
    }
  } catch (...) {
    return -1;
  }
}

int cyl_gather(int width, const void* src, const int64_t* idx, int64_t n, int nthreads,
               void* dst) {
  if (n > 0 && src == nullptr) return -1;
  const int64_t starts[2] = {0, std::numeric_limits<int64_t>::max()};
  return cyl_gather_chunks(width, 1, &src, starts, idx, n, nthreads, dst);
}

int cyl_key_stats(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                  int nthreads, int64_t* out) {
  if (n < 0 || (n > 0 && keys == nullptr) || out == nullptr) return -1;
  try {
    const KeyStats S = key_stats(keys, Valid{valid, voff}, n, nthreads);
    out[0] = S.min;
    out[1] = S.max;
    out[2] = S.shared_bits;
    out[3] = S.count;
    return 0;
  } catch (...) {
    return -1;
  }
}

int cyl_dense_codes(int nkeys, const int64_t* const* keys, const uint8_t* const* valid,
                    const int64_t* voff, const int64_t* lo, const int64_t* shift,
                    const int64_t* radix, int64_t n, int nthreads, int64_t* code, int64_t* first) {
  if (nkeys < 1 || n < 0 || keys == nullptr || valid == nullptr || voff == nullptr ||
      lo == nullptr || shift == nullptr || radix == nullptr || (n > 0 && code == nullptr) ||
      first == nullptr)
    return -1;
  for (int j = 0; j < nkeys; ++j)
    if (shift[j] < 0 || shift[j] > 63) return -1;
  try {
    i64 groups = 1;
    for (int j = 0; j < nkeys; ++j) {
      if (radix[j] < 1 || groups > (i64(1) << 40) / radix[j]) return -1;
      groups *= radix[j];
    }
    const int nt = clamp_threads(nthreads, n);
    std::vector<i64> firsts(static_cast<size_t>(groups) * nt, -1);
    check(run_threads(nt, [&](int t) {
      const i64 a = range_lo(n, nt, t), b = range_lo(n, nt, t + 1);
      i64* f = firsts.data() + static_cast<size_t>(t) * groups;
      constexpr i64 kBlock = 1024;  // key by key over a block: loops the compiler vectorizes
      u64 u[kBlock];
      for (i64 b0 = a; b0 < b; b0 += kBlock) {
        const i64 len = std::min(kBlock, b - b0);
        for (int j = 0; j < nkeys; ++j) {
          const u64* k = reinterpret_cast<const u64*>(keys[j]) + b0;
          const u64 l = static_cast<u64>(lo[j]), r = static_cast<u64>(radix[j]);
          const int sh = static_cast<int>(shift[j]);
          if (j == 0) {
            for (i64 x = 0; x < len; ++x) u[x] = (k[x] - l) >> sh;
          } else {
            for (i64 x = 0; x < len; ++x) u[x] = u[x] * r + ((k[x] - l) >> sh);
          }
        }
        for (int j = 0; j < nkeys; ++j) {  // wrapped arbitrary values under nulls become -1
          const Valid v{valid[j], voff[j]};
          if (!v.any_null()) continue;
          for (i64 x = 0; x < len; ++x)
            if (!v(b0 + x)) u[x] = ~u64(0);
        }
        i64* out = code + b0;
        for (i64 x = 0; x < len; ++x) {
          const i64 c = static_cast<i64>(u[x]);
          out[x] = c;
          if (c >= 0 && f[c] < 0) f[c] = b0 + x;
        }
      }
    }));
    for (i64 g = 0; g < groups; ++g) {
      i64 r = -1;
      for (int t = 0; t < nt && r < 0; ++t) r = firsts[static_cast<size_t>(t) * groups + g];
      first[g] = r;
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

int64_t cyl_select_indices(const uint8_t* sel, int64_t n, int64_t* out) {
  if (n < 0 || (n > 0 && (sel == nullptr || out == nullptr))) return -1;
  i64 c = 0, i = 0;
  for (; i + 8 <= n; i += 8) {  // a sparse selection skips 8 rows a word
    u64 w;
    std::memcpy(&w, sel + i, 8);
    if (w == 0) continue;
    for (int j = 0; j < 8; ++j) {
      out[c] = i + j;
      c += sel[i + j] != 0;
    }
  }
  for (; i < n; ++i) {
    out[c] = i;
    c += sel[i] != 0;
  }
  return c;
}

int64_t cyl_compact(int width, const void* src, const uint8_t* sel, int64_t n, void* dst) {
  if (n < 0 || (n > 0 && (src == nullptr || sel == nullptr || dst == nullptr))) return -1;
  switch (width) {
    case 1:
      return compact(static_cast<const u8*>(src), sel, n, static_cast<u8*>(dst));
    case 2:
      return compact(static_cast<const uint16_t*>(src), sel, n, static_cast<uint16_t*>(dst));
    case 4:
      return compact(static_cast<const uint32_t*>(src), sel, n, static_cast<uint32_t*>(dst));
    case 8:
      return compact(static_cast<const u64*>(src), sel, n, static_cast<u64*>(dst));
    default:
      return -1;
  }
}

}  // extern "C"
