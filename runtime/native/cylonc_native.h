/* cylonc native relational kernels: C ABI (see cylonc_native.cpp; loaded by
 * runtime/kernels/native_lib.py). Keys are int64; validity is an Arrow bitmap plus a bit offset,
 * or NULL when every value is valid. Negative returns mean failure: fall back. */
#ifndef CYLONC_NATIVE_H
#define CYLONC_NATIVE_H

#include <stdint.h>

#if defined(_WIN32)
#define CYL_API __declspec(dllexport)
#else
#define CYL_API __attribute__((visibility("default")))
#endif

#define CYL_ABI_VERSION 7
#define CYL_F64 0
#define CYL_I64 1

#ifdef __cplusplus
extern "C" {
#endif

CYL_API int cyl_abi_version(void);

/* Scratch blocks kept between calls (bytes), handing them back, and their limit (default 1 GiB;
 * 0 keeps none). */
CYL_API int64_t cyl_cached_bytes(void);
CYL_API void cyl_release_memory(void);
CYL_API void cyl_set_cache_limit(int64_t bytes);

/* Hash join on int64 keys (null equals null). The handle gives, for each left row in order,
 * its right matches in right order. keep_unmatched: a left row without a match yields one
 * pair with right index -1 (left join). */
CYL_API void* cyl_join_new(const int64_t* lkeys, const uint8_t* lvalid, int64_t loff, int64_t n,
                           const int64_t* rkeys, const uint8_t* rvalid, int64_t roff, int64_t m,
                           int nthreads);
CYL_API int64_t cyl_join_size(void* h, int keep_unmatched);
CYL_API int cyl_join_fill(void* h, int keep_unmatched, int64_t* li, int64_t* ri);
CYL_API int cyl_join_counts(void* h, int64_t* out);
CYL_API void cyl_join_free(void* h);

/* Dense group ids (rows with a null key get -1) and each group's first row (first_row has room
 * for n). Returns the number of groups. */
CYL_API int64_t cyl_group_ids(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                              int nthreads, int64_t* gid, int64_t* first_row);

/* Of the valid keys: out[0] min, out[1] max, out[2] the number of low bits they all share,
 * out[3] their count (all 0 when none). */
CYL_API int cyl_key_stats(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                          int nthreads, int64_t* out);

/* Group codes of rows by nkeys int64 keys of small ranges: code[i] = the mixed-radix number of
 * the offsets (keys[j][i] - lo[j]) >> shift[j], radix[j] (all offsets below), or -1 where a key
 * is null (validity valid[j] at bit offset voff[j], NULL: none); first[c] = the first row of
 * code c, or -1 (room for the product of the radixes). */
CYL_API int cyl_dense_codes(int nkeys, const int64_t* const* keys, const uint8_t* const* valid,
                            const int64_t* voff, const int64_t* lo, const int64_t* shift,
                            const int64_t* radix, int64_t n, int nthreads, int64_t* code,
                            int64_t* first);

/* Per-group accumulation over the valid values; rows with gid < 0 are skipped.
 * op: 0 sum, 1 min, 2 max (out: dtype, NaN skipped unless all NaN), 3 count (out int64),
 * 4 first / 5 last valid row (out int64, -1 if none), 6 sum of int64 as float64.
 * out_count (may be NULL): number of valid values per group. */
CYL_API int cyl_group_agg(int op, int dtype, const int64_t* gid, int64_t n, const void* values,
                          const uint8_t* valid, int64_t voff, int64_t ngroups, int nthreads,
                          void* out, int64_t* out_count);

/* Stable argsort (dtype CYL_I64 / CYL_F64): valid keys ascending or descending, then NaN rows,
 * then null rows, each in row order. */
CYL_API int cyl_argsort(int dtype, const void* keys, const uint8_t* valid, int64_t voff,
                        int64_t n, int descending, int nthreads, int64_t* out);

/* Strings (int32 or int64 offsets, element offset `off`) of at most 7 bytes as int64 that order
 * like the bytes: out[i] for element off + i. Returns 1 (out unusable) when a valid string is
 * longer. */
CYL_API int cyl_pack_strings(int large_offsets, const void* offsets, const uint8_t* data,
                             const uint8_t* valid, int64_t off, int64_t n, int nthreads,
                             int64_t* out);

/* Key sets for semi-join filters: a handle on the set of the valid int64 keys (plus "null"
 * if one is null), or NULL when their range is too wide for a bitmap (then no filter). A null
 * key is in the set where the set has null. */
CYL_API void* cyl_key_filter_new(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                                 int nthreads);
CYL_API void cyl_key_filter_free(void* h);
/* rows: the numbers of the rows whose key is in the set, in order, into rows (room for all), of
 * a key column in nchunks chunks (chunk c: rows [starts[c], starts[c + 1]), its values keys[c],
 * validity valid[c] at bit offset voff[c]). Returns their number. */
CYL_API int64_t cyl_key_filter_rows(void* h, int64_t nchunks, const int64_t* const* keys,
                                    const uint8_t* const* valid, const int64_t* voff,
                                    const int64_t* starts, int nthreads, int64_t* rows);
/* and: sel[i] = 1 where it was set and keys[i] is in the set, else 0 (one thread); *hits = the
 * rows left selected. */
CYL_API int cyl_key_filter_and(void* h, const int64_t* keys, const uint8_t* valid, int64_t voff,
                               int64_t n, uint8_t* sel, int64_t* hits);

/* Hash partitioning for a shuffle: each row's destination is runtime/kernels/distributed.py's
 * `hash_rows` of the one int64 key modulo nparts (nulls hash alike); counts[d] gets the rows
 * for d, order the row numbers by destination, each destination's in row order. */
CYL_API int cyl_hash_partition(const int64_t* keys, const uint8_t* valid, int64_t voff, int64_t n,
                               int64_t nparts, int nthreads, int64_t* counts, int64_t* order);

/* dst[i] = src[idx[i]] for fixed-width values of `width` bytes (0 where idx[i] < 0). */
CYL_API int cyl_gather(int width, const void* src, const int64_t* idx, int64_t n, int nthreads,
                       void* dst);
/* The same over a column in nchunks chunks: srcs[c] holds rows [starts[c], starts[c + 1]). */
CYL_API int cyl_gather_chunks(int width, int64_t nchunks, const void* const* srcs,
                              const int64_t* starts, const int64_t* idx, int64_t n, int nthreads,
                              void* dst);

/* The values of `width` bytes (1, 2, 4, 8) at the rows with sel[i] != 0, in order, into dst (room
 * for n; one thread). Returns their number. */
CYL_API int64_t cyl_compact(int width, const void* src, const uint8_t* sel, int64_t n, void* dst);
/* The rows i with sel[i] != 0, in order, into out (room for n; one thread). Returns their
 * number. */
CYL_API int64_t cyl_select_indices(const uint8_t* sel, int64_t n, int64_t* out);

#ifdef __cplusplus
}
#endif

#endif
