/*
 * test_arena.c - unit tests of src/core/arena.c, the per-request bump
 * allocator: alignment, no overlap, ownership, reset keeping one chunk,
 * allocations larger than a chunk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hk/arena.h"

static void aligned_and_apart(void **state)
{
	struct hk_arena a = {.chunk_size = 1024};
	unsigned char *p[100];

	(void)state;
	for (int i = 0; i < 100; i++) {
		/* sizes 1..100: each block aligned to 16 and writable whole */
		p[i] = hk_arena_alloc(&a, (size_t)i + 1);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], i, (size_t)i + 1);
	}
	/* no block was overwritten by a later one */
	for (int i = 0; i < 100; i++)
		for (int j = 0; j <= i; j++)
			assert_int_equal(p[i][j], i);
	hk_arena_release(&a);
}

static void owns_until_reset(void **state)
{
	struct hk_arena a = {.chunk_size = 256};
	int outside = 0;
	void *p, *q;

	(void)state;
	assert_false(hk_arena_owns(&a, &outside));
	p = hk_arena_alloc(&a, 10);
	q = hk_arena_alloc(&a, 1000); /* bigger than a chunk: its own */
	memset(q, 7, 1000);
	assert_true(hk_arena_owns(&a, p));
	assert_true(hk_arena_owns(&a, (char *)q + 999));
	assert_false(hk_arena_owns(&a, &outside));
	hk_arena_reset(&a);
	assert_false(hk_arena_owns(&a, p));
	assert_false(hk_arena_owns(&a, q));
	/* the kept chunk is the first one, reused from its start */
	assert_ptr_equal(hk_arena_alloc(&a, 10), p);
	hk_arena_release(&a);
	assert_null(a.head);
}

static void zero_bytes(void **state)
{
	struct hk_arena a = {0};
	void *p = hk_arena_alloc(&a, 0), *q = hk_arena_alloc(&a, 0);

	(void)state;
	assert_non_null(p);
	assert_ptr_not_equal(p, q);
	hk_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aligned_and_apart),
		cmocka_unit_test(owns_until_reset),
		cmocka_unit_test(zero_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
