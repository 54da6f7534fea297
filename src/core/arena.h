/* arena.h - region allocator for everything that lives as long as one request,
 * job run or scan batch.
 *
 * Allocations are never freed one by one: mq_arena_free() releases the whole
 * region and runs the cleanups registered with mq_arena_defer() (for objects
 * owned by other libraries, such as jansson values), newest first. An arena is
 * not thread-safe; it belongs to whoever created it. */
#ifndef MQ_ARENA_H
#define MQ_ARENA_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

struct mq_arena;

/* Creates an arena whose first block holds about `first_block` bytes.
 * Returns NULL when out of memory. */
struct mq_arena *mq_arena_new(size_t first_block);

/* Runs the deferred cleanups, then frees every block. Accepts NULL. */
void mq_arena_free(struct mq_arena *a);

/* Returns `n` bytes aligned for any type, or NULL when out of memory.
 * The memory is owned by the arena. */
void *mq_arena_alloc(struct mq_arena *a, size_t n);
void *mq_arena_calloc(struct mq_arena *a, size_t count, size_t size);

/* Room for one more element in an array of n elements of `size` bytes kept
 * in the arena: returns the array itself while n < *cap, else a copy with
 * twice the room (16 to start with) and *cap updated. NULL when out of
 * memory; the old array then stays as it was. */
void *mq_arena_grow(struct mq_arena *a, void *array, size_t n, size_t *cap, size_t size);

/* Copies of strings, owned by the arena; NULL when out of memory. */
char *mq_arena_strdup(struct mq_arena *a, const char *s);
char *mq_arena_strndup(struct mq_arena *a, const char *s, size_t n);
char *mq_arena_printf(struct mq_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *mq_arena_vprintf(struct mq_arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Registers fn(ptr) to run when the arena is freed. On MQ_ENOMEM, fn(ptr) has
 * already been called, so the caller never leaks and never frees by hand. */
MQ_MUST_CHECK mq_err mq_arena_defer(struct mq_arena *a, void (*fn)(void *), void *ptr);

/* Bytes handed out so far (for tests and metrics). */
size_t mq_arena_used(const struct mq_arena *a);

#endif
