/*
 * arena.c - see hk/arena.h.
 */
#include <stdint.h>
#include <stdlib.h>

#include "hk/arena.h"
#include "hk/rc.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define REDZONE 16
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define REDZONE 0
#endif

#define ALIGN 16
#define DEFAULT_CHUNK (64 * 1024)
#define MAX_GROWN (16 * 1024 * 1024)

struct hk_arena_chunk {
	struct hk_arena_chunk *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

static struct hk_arena_chunk *chunk_new(size_t size, struct hk_arena_chunk *next)
{
	struct hk_arena_chunk *c = hk_malloc(sizeof(*c) + size);

	c->next = next;
	c->size = size;
	c->used = 0;
	ASAN_POISON_MEMORY_REGION(c->data, size);
	return c;
}

void *hk_arena_alloc(struct hk_arena *a, size_t n)
{
	size_t need = (n + REDZONE + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	size_t size = a->chunk_size ? a->chunk_size : DEFAULT_CHUNK;
	struct hk_arena_chunk *c = a->head;
	void *p;

	if (!need)
		need = ALIGN;
	if (!c || c->size - c->used < need) {
		/* Each new chunk twice the last (up to MAX_GROWN): a big
		 * answer takes a few chunks, not thousands, and
		 * hk_arena_owns walks them on every free.  A request larger
		 * than that gets a chunk of its own. */
		if (c && c->size < MAX_GROWN && 2 * c->size > size)
			size = 2 * c->size < MAX_GROWN ? 2 * c->size : MAX_GROWN;
		c = chunk_new(need > size ? need : size, a->head);
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	ASAN_UNPOISON_MEMORY_REGION(p, n);
	return p;
}

bool hk_arena_owns(const struct hk_arena *a, const void *p)
{
	uintptr_t q = (uintptr_t)p;

	for (const struct hk_arena_chunk *c = a->head; c; c = c->next)
		if (q >= (uintptr_t)c->data && q < (uintptr_t)c->data + c->used)
			return true;
	return false;
}

void hk_arena_reset(struct hk_arena *a)
{
	struct hk_arena_chunk *c = a->head;

	if (!c)
		return;
	/* Keep the oldest chunk (the last in the list): it is the usual
	 * size, while newer ones may be one-off giants. */
	while (c->next) {
		struct hk_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	c->used = 0;
	ASAN_POISON_MEMORY_REGION(c->data, c->size);
	a->head = c;
}

void hk_arena_release(struct hk_arena *a)
{
	while (a->head) {
		struct hk_arena_chunk *next = a->head->next;

		ASAN_UNPOISON_MEMORY_REGION(a->head->data, a->head->size);
		free(a->head);
		a->head = next;
	}
}
