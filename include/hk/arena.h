/*
 * arena.h - a bump allocator for memory that lives exactly as long as one
 * piece of work (an HTTP request): allocate freely, release everything at
 * once with hk_arena_reset.  The first chunk is kept across resets, so a
 * steady stream of requests allocates nothing from the system.
 *
 * Under AddressSanitizer every allocation is followed by a poisoned red
 * zone and reset poisons the whole arena, so overruns and use after the
 * request are still caught.
 */
#ifndef HK_ARENA_H
#define HK_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct hk_arena_chunk;

struct hk_arena {
	struct hk_arena_chunk *head; /* newest chunk first */
	size_t chunk_size;           /* 0: the default (64 KiB) */
};

/* n bytes aligned for any type, never NULL (aborts when memory is out). */
void *hk_arena_alloc(struct hk_arena *a, size_t n);
/* Whether p was handed out by this arena since its last reset. */
bool hk_arena_owns(const struct hk_arena *a, const void *p);
/* Forget every allocation; keep the first chunk for reuse. */
void hk_arena_reset(struct hk_arena *a);
/* Give every chunk back. */
void hk_arena_release(struct hk_arena *a);

#endif
