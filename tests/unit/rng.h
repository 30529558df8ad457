/*
 * rng.h - deterministic random numbers for the tests (splitmix64): the same
 * seed always gives the same portfolio, so a failure can be replayed.
 */
#ifndef HK_TEST_RNG_H
#define HK_TEST_RNG_H

#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Uniform-enough integer in [lo, hi] (modulo bias is irrelevant here). */
static inline int64_t rng_range(uint64_t *state, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rng_next(state) % (uint64_t)(hi - lo + 1));
}

#endif
