#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN     alignof(max_align_t)
#define ARENA_MIN_BLOCK 1024

struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *ptr;
};

struct mq_arena {
    struct arena_block *head; /* block being filled; older blocks follow */
    struct arena_cleanup *cleanups;
    size_t next_block;
    size_t handed_out;
};

static struct arena_block *block_new(size_t size)
{
    struct arena_block *b = malloc(sizeof(*b) + size);
    if (!b) return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

struct mq_arena *mq_arena_new(size_t first_block)
{
    struct mq_arena *a = calloc(1, sizeof(*a));
    if (!a) return NULL;
    if (first_block < ARENA_MIN_BLOCK) first_block = ARENA_MIN_BLOCK;
    a->head = block_new(first_block);
    if (!a->head) {
        free(a);
        return NULL;
    }
    a->next_block = first_block * 2;
    return a;
}

void mq_arena_free(struct mq_arena *a)
{
    if (!a) return;
    while (a->cleanups) {
        struct arena_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->ptr);
    }
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *mq_arena_alloc(struct mq_arena *a, size_t n)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / 2) return NULL;
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_block *b = a->head;
    if (b->size - b->used < need) {
        /* A large request gets a block of its own behind the current one, so
         * the space left in the current block is not wasted. */
        if (need > a->next_block / 2) {
            struct arena_block *big = block_new(need);
            if (!big) return NULL;
            big->used = need;
            big->next = b->next;
            b->next = big;
            a->handed_out += need;
            return big->data;
        }
        struct arena_block *fresh = block_new(a->next_block);
        if (!fresh) return NULL;
        if (a->next_block < (size_t)1 << 20) a->next_block *= 2;
        fresh->next = b;
        a->head = b = fresh;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->handed_out += need;
    return p;
}

void *mq_arena_calloc(struct mq_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = mq_arena_alloc(a, count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

void *mq_arena_grow(struct mq_arena *a, void *array, size_t n, size_t *cap, size_t size)
{
    if (array && n < *cap) return array;
    size_t more = *cap ? *cap * 2 : 16;
    if (more < *cap || (size && more > SIZE_MAX / size)) return NULL;
    void *p = mq_arena_alloc(a, more * size);
    if (!p) return NULL;
    if (array && n) memcpy(p, array, n * size);
    *cap = more;
    return p;
}

char *mq_arena_strndup(struct mq_arena *a, const char *s, size_t n)
{
    char *p = mq_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mq_arena_strdup(struct mq_arena *a, const char *s)
{
    return mq_arena_strndup(a, s, strlen(s));
}

char *mq_arena_vprintf(struct mq_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return NULL;
    char *p = mq_arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *mq_arena_printf(struct mq_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = mq_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

mq_err mq_arena_defer(struct mq_arena *a, void (*fn)(void *), void *ptr)
{
    struct arena_cleanup *c = mq_arena_alloc(a, sizeof(*c));
    if (!c) {
        fn(ptr);
        return MQ_ENOMEM;
    }
    c->fn = fn;
    c->ptr = ptr;
    c->next = a->cleanups;
    a->cleanups = c;
    return MQ_OK;
}

size_t mq_arena_used(const struct mq_arena *a)
{
    return a->handed_out;
}
