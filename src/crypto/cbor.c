#include "crypto/cbor.h"

#include <stdbool.h>
#include <stdint.h>

/* Where the walk is: how many entries each open container still owes. */
struct walk {
    size_t left; /* bytes from the current header to the end of the input */
    size_t owed[MQ_CBOR_DEPTH];
    int depth;
    bool bad, done;
};

/* A complete item counts against its container, which may complete too. */
static void item_done(struct walk *w)
{
    for (;;) {
        if (w->depth == 0) {
            w->done = true;
            return;
        }
        if (--w->owed[w->depth - 1] > 0) return;
        w->depth--;
    }
}

/* A container (or a tag, which wraps one item) whose entries follow. */
static void open_container(struct walk *w, uint64_t entries)
{
    if (entries == 0) {
        item_done(w);
        return;
    }
    /* Every entry takes a byte at least: more than remain is a lie. */
    if (entries >= w->left || w->depth == MQ_CBOR_DEPTH) {
        w->bad = true;
        return;
    }
    w->owed[w->depth++] = (size_t)entries;
}

static void on_array(void *ctx, size_t n)
{
    open_container(ctx, n);
}

static void on_map(void *ctx, size_t n)
{
    open_container(ctx, n > SIZE_MAX / 2 ? SIZE_MAX : 2 * n);
}

static void on_tag(void *ctx, uint64_t tag)
{
    (void)tag;
    open_container(ctx, 1);
}

static void on_indefinite(void *ctx)
{
    ((struct walk *)ctx)->bad = true;
}

static void on_u8(void *ctx, uint8_t v)
{
    (void)v;
    item_done(ctx);
}

static void on_u16(void *ctx, uint16_t v)
{
    (void)v;
    item_done(ctx);
}

static void on_u32(void *ctx, uint32_t v)
{
    (void)v;
    item_done(ctx);
}

static void on_u64(void *ctx, uint64_t v)
{
    (void)v;
    item_done(ctx);
}

static void on_string(void *ctx, cbor_data s, size_t n)
{
    (void)s;
    (void)n;
    item_done(ctx);
}

static void on_float(void *ctx, float v)
{
    (void)v;
    item_done(ctx);
}

static void on_double(void *ctx, double v)
{
    (void)v;
    item_done(ctx);
}

static void on_simple(void *ctx)
{
    item_done(ctx);
}

static void on_bool(void *ctx, bool v)
{
    (void)v;
    item_done(ctx);
}

static const struct cbor_callbacks walker = {
    .uint8 = on_u8,
    .uint16 = on_u16,
    .uint32 = on_u32,
    .uint64 = on_u64,
    .negint8 = on_u8,
    .negint16 = on_u16,
    .negint32 = on_u32,
    .negint64 = on_u64,
    .byte_string = on_string,
    .byte_string_start = on_indefinite,
    .string = on_string,
    .string_start = on_indefinite,
    .array_start = on_array,
    .indef_array_start = on_indefinite,
    .map_start = on_map,
    .indef_map_start = on_indefinite,
    .tag = on_tag,
    .float2 = on_float,
    .float4 = on_float,
    .float8 = on_double,
    .undefined = on_simple,
    .null = on_simple,
    .boolean = on_bool,
    .indef_break = on_indefinite,
};

cbor_item_t *mq_cbor_load(const unsigned char *data, size_t len, size_t *used)
{
    struct walk w = {0};
    size_t at = 0;
    while (!w.done) {
        w.left = len - at;
        if (!w.left) return NULL; /* truncated */
        struct cbor_decoder_result r = cbor_stream_decode(data + at, len - at, &walker, &w);
        if (r.status != CBOR_DECODER_FINISHED || w.bad) return NULL;
        at += r.read;
    }
    struct cbor_load_result res;
    cbor_item_t *item = cbor_load(data, at, &res);
    if (item && (res.error.code != CBOR_ERR_NONE || res.read != at)) cbor_decref(&item);
    if (item) *used = at;
    return item;
}
