/* freq.h - how many documents hold a word, remembered for a few seconds
 * (docs/internals/search.md).
 *
 * Every query asks, for each word, whether it is common. The index counts
 * a word's documents by reading its postings: "the" costs a millisecond
 * each time, and a keystroke asks for it twice. The answers are kept here,
 * forgotten when this process indexes and after MQ_FREQ_TTL_NS (for the
 * other instances' indexing), so a count is never older than that. */
#ifndef MQ_SEARCH_FREQ_H
#define MQ_SEARCH_FREQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define MQ_FREQ_SLOTS    1024
#define MQ_FREQ_WORD_MAX 48 /* longer words are asked each time */

struct mq_freq_slot {
    char word[MQ_FREQ_WORD_MAX];
    bool prefix, used;
    int64_t docs, total;
    uint64_t at_ns, gen;
};

struct mq_freq_cache {
    pthread_mutex_t mu;
    uint64_t gen; /* bumped when the index changes */
    struct mq_freq_slot slot[MQ_FREQ_SLOTS];
};

void mq_freq_init(struct mq_freq_cache *c);
void mq_freq_cleanup(struct mq_freq_cache *c);

#define MQ_FREQ_TTL_NS (5 * 1000000000ull)

/* True with the counts when they are known and younger than the TTL at
 * now_ns (mq_monotonic_ns); else false, *gen then to be handed to
 * mq_freq_put with what the store says. */
bool mq_freq_get(struct mq_freq_cache *c, const char *word, bool prefix, uint64_t now_ns,
                 int64_t *docs, int64_t *total, uint64_t *gen);
/* Keeps the counts as of now_ns, unless the index changed since
 * mq_freq_get (gen). */
void mq_freq_put(struct mq_freq_cache *c, const char *word, bool prefix, uint64_t now_ns,
                 int64_t docs, int64_t total, uint64_t gen);
/* The index changed: every count is asked again. */
void mq_freq_forget(struct mq_freq_cache *c);

/* This process's, kept by its indexer (index.c). */
struct mq_search;
struct mq_freq_cache *mq_search_freq(struct mq_search *s);

#endif
