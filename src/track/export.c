#include "track/export.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "audit/audit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "store/imports.h"
#include "store/sessions.h"
#include "store/track.h"
#include "store/users.h"
#include "track/csv.h"
#include "track/libzip.h"

#define PAGE 500 /* rows read at a time */

/* ---- the JSON document ----------------------------------------------------- */

enum section { HEAD, LIBRARY, PROGRESS, HISTORY, IMPORTS, ALIASES, SESSIONS, ACTIVITY, TAIL, END };
static const char *const NAMES[] = {"",        "library",  "progress", "history", "imports",
                                    "aliases", "sessions", "activity", "",        ""};

struct mq_export {
    struct mq_ctx *ctx;
    char *user_id;
    enum section at;
    bool started; /* the current section's array is open */
    bool any;     /* and has an item already */
    char *after;  /* the section's cursor: an id, a key */
    struct mq_track_after history;
    int64_t activity_cursor;
    struct mq_buf buf;
    size_t sent;
};

mq_err mq_export_new(struct mq_ctx *ctx, const char *user_id, struct mq_export **out)
{
    struct mq_export *x = calloc(1, sizeof(*x));
    if (!x || !(x->user_id = strdup(user_id))) {
        free(x);
        return MQ_ENOMEM;
    }
    x->ctx = ctx;
    mq_buf_init(&x->buf, 256u << 20);
    *out = x;
    return MQ_OK;
}

void mq_export_free(struct mq_export *x)
{
    if (!x) return;
    mq_buf_cleanup(&x->buf);
    free(x->after);
    free(x->user_id);
    free(x);
}

static mq_err add_item(struct mq_export *x, json_t *item)
{
    char *text = item ? json_dumps(item, JSON_COMPACT) : NULL;
    json_decref(item);
    if (!text) return MQ_ENOMEM;
    mq_err err = mq_buf_adds(&x->buf, x->any ? ",\n" : "\n");
    if (!err) err = mq_buf_adds(&x->buf, text);
    free(text);
    x->any = true;
    return err;
}

static void set_after(struct mq_export *x, const char *after)
{
    free(x->after);
    x->after = after ? strdup(after) : NULL;
}

static json_t *time_of(int64_t ms)
{
    char t[40];
    if (!ms) return json_null();
    mq_time_format_rfc3339(ms, t, sizeof(t));
    return json_string(t);
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *parsed(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_null();
}

static mq_err head(struct mq_export *x, struct mq_db *db, struct mq_arena *a)
{
    struct mq_user_row u;
    mq_err err = mq_store_user_by_id(db, a, x->user_id, &u);
    if (err) return err;
    json_t *p =
        json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "id", u.id, "email", u.email, "display_name",
                  text_or_null(u.display_name), "email_verified_at", time_of(u.email_verified_at),
                  "created_at", time_of(u.created_at), "last_login_at", time_of(u.last_login_at));
    char *profile = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_t *prefs = parsed(u.preferences);
    char *pr = json_dumps(prefs, JSON_COMPACT | JSON_ENCODE_ANY);
    char now[40];
    mq_time_format_rfc3339(mq_clock_now_ms(x->ctx->clock), now, sizeof(now));
    err = profile && pr ? mq_buf_printf(&x->buf,
                                        "{\"format\":\"marquee-export\",\"version\":1,"
                                        "\"exported_at\":\"%s\",\n\"profile\":%s,\n"
                                        "\"preferences\":%s",
                                        now, profile, pr)
                        : MQ_ENOMEM;
    free(profile);
    free(pr);
    json_decref(p);
    json_decref(prefs);
    return err;
}

static json_t *entry_json(const struct mq_export_entry *r)
{
    const struct mq_shelf_row *e = &r->e;
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "item_id", e->item_id, "title", r->title,
                  "type", r->kind, "status", e->status, "platform", text_or_null(e->platform),
                  "rating", e->rating ? json_real((double)e->rating / 10) : json_null(), "notes",
                  text_or_null(e->notes), "source", e->source);
    if (o) {
        json_object_set_new(o, "consumed_at", time_of(e->consumed_at));
        json_object_set_new(o, "added_at", time_of(e->added_at));
        json_object_set_new(o, "last_activity_at", time_of(e->activity_at));
    }
    return o;
}

static json_t *position_json(const struct mq_export_entry *r)
{
    const struct mq_progress_row *p = &r->p;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:f}", "item_id", p->item_id, "title", r->title,
                          "type", r->kind, "state", p->state, "position_ms",
                          (json_int_t)p->position_ms, "progress", (double)p->progress / 1000);
    if (o) {
        json_object_set_new(o, "locator", parsed(p->locator));
        json_object_set_new(o, "device", text_or_null(p->device));
        json_object_set_new(o, "reported_at", time_of(p->reported_at));
    }
    return o;
}

static json_t *play_json(const struct mq_play_row *p)
{
    json_t *o =
        json_pack("{s:s,s:o,s:s,s:s,s:o,s:s,s:s}", "id", p->id, "item_id", text_or_null(p->item_id),
                  "type", p->kind, "title", p->title, "watched_at", time_of(p->watched_at),
                  "source", p->source, "platform", p->platform);
    if (o) {
        json_object_set_new(o, "duration_ms",
                            p->duration_ms ? json_integer(p->duration_ms) : json_null());
        json_object_set_new(o, "device", text_or_null(p->device));
    }
    return o;
}

static json_t *line_json(const struct mq_import_line *l)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:o}", "row", (json_int_t)l->line, "raw",
                          l->raw ? l->raw : "", "state", l->state, "item_id",
                          text_or_null(l->item_id), "reason", text_or_null(l->reason));
    if (o) json_object_set_new(o, "entry", parsed(l->entry));
    return o;
}

/* One import and every row it read. */
static json_t *import_json(struct mq_db *db, struct mq_arena *a, const struct mq_import_row *r,
                           mq_err *err)
{
    json_t *o = json_pack("{s:s,s:s,s:o,s:s,s:o}", "id", r->id, "format", r->format, "filename",
                          text_or_null(r->filename), "state", r->state, "created_at",
                          time_of(r->created_at));
    json_t *rows = json_array();
    int64_t after = 0;
    size_t n = 0;
    do {
        struct mq_import_line *lines = NULL;
        *err = mq_store_import_lines(db, a, r->id, NULL, after, PAGE, &lines, &n);
        for (size_t i = 0; !*err && i < n; i++) json_array_append_new(rows, line_json(&lines[i]));
        if (n) after = lines[n - 1].line;
    } while (!*err && n == PAGE);
    json_object_set_new(o, "rows", rows);
    return o;
}

/* The next page of the current section; moves on when it is done. */
static mq_err page(struct mq_export *x, struct mq_db *db, struct mq_arena *a, bool *more)
{
    mq_err err = MQ_OK;
    size_t n = 0;
    *more = false;
    switch (x->at) {
    case LIBRARY:
    case PROGRESS: {
        struct mq_export_entry *rows = NULL;
        err = x->at == LIBRARY
                  ? mq_store_export_library(db, a, x->user_id, x->after, PAGE, &rows, &n)
                  : mq_store_export_progress(db, a, x->user_id, x->after, PAGE, &rows, &n);
        for (size_t i = 0; !err && i < n; i++)
            err = add_item(x, x->at == LIBRARY ? entry_json(&rows[i]) : position_json(&rows[i]));
        if (n) set_after(x, x->at == LIBRARY ? rows[n - 1].e.item_id : rows[n - 1].p.item_id);
        break;
    }
    case HISTORY: {
        struct mq_history_filter f = {.user_id = x->user_id, .after = x->history, .limit = PAGE};
        struct mq_history_row *rows = NULL;
        err = mq_store_history(db, a, &f, &rows, &n);
        for (size_t i = 0; !err && i < n; i++) err = add_item(x, play_json(&rows[i].play));
        if (n) {
            x->history.has = true;
            x->history.key = rows[n - 1].play.watched_at;
            set_after(x, rows[n - 1].play.id);
            x->history.id = x->after;
        }
        break;
    }
    case IMPORTS: {
        struct mq_import_row *rows = NULL;
        /* One import at a time: each brings its rows. */
        err = mq_store_imports_list(db, a, x->user_id, &x->history, 1, &rows, &n);
        for (size_t i = 0; !err && i < n; i++) {
            json_t *o = import_json(db, a, &rows[i], &err);
            if (!err)
                err = add_item(x, o);
            else
                json_decref(o);
        }
        if (n) {
            x->history.has = true;
            x->history.key = rows[0].created_at;
            set_after(x, rows[0].id);
            x->history.id = x->after;
        }
        *more = n == 1;
        return err;
    }
    case ALIASES: {
        struct mq_alias_row *rows = NULL;
        err = mq_store_aliases_by(db, a, x->user_id, x->after, PAGE, &rows, &n);
        for (size_t i = 0; !err && i < n; i++)
            err = add_item(x, json_pack("{s:s,s:s,s:s,s:o}", "key", rows[i].key, "title",
                                        rows[i].title, "item_id", rows[i].item_id, "created_at",
                                        time_of(rows[i].created_at)));
        if (n) set_after(x, rows[n - 1].key);
        break;
    }
    case SESSIONS: {
        struct mq_session_row *rows = NULL;
        err = mq_store_sessions_list(db, a, x->user_id, mq_clock_now_ms(x->ctx->clock), x->after,
                                     PAGE, &rows, &n);
        for (size_t i = 0; !err && i < n; i++)
            err = add_item(x, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "id", rows[i].id, "ip",
                                        text_or_null(rows[i].ip), "user_agent",
                                        text_or_null(rows[i].user_agent), "device_name",
                                        text_or_null(rows[i].device_name), "created_at",
                                        time_of(rows[i].created_at), "last_seen_at",
                                        time_of(rows[i].last_seen_at)));
        if (n) set_after(x, rows[n - 1].id);
        break;
    }
    case ACTIVITY: {
        struct mq_audit_filter f = {.subject_id = x->user_id,
                                    .cursor = x->activity_cursor,
                                    .ascending = true,
                                    .limit = PAGE};
        struct mq_audit_row *rows = mq_arena_calloc(a, PAGE, sizeof(*rows));
        if (!rows) return MQ_ENOMEM;
        err = mq_store_audit_list(db, a, &f, rows, &n);
        for (size_t i = 0; !err && i < n; i++)
            err = add_item(x, json_pack("{s:I,s:o,s:s,s:o,s:o}", "seq", (json_int_t)rows[i].seq,
                                        "at", time_of(rows[i].at), "action", rows[i].action,
                                        "target_type", text_or_null(rows[i].target_type), "details",
                                        parsed(rows[i].details)));
        if (n) x->activity_cursor = rows[n - 1].seq;
        break;
    }
    default: return MQ_OK;
    }
    *more = n == PAGE;
    return err;
}

/* Fills the buffer with the next piece of the document. */
static mq_err fill(struct mq_export *x)
{
    struct mq_arena *a = mq_arena_new(64 * 1024);
    struct mq_db *db = NULL;
    if (!a) return MQ_ENOMEM;
    mq_err err = mq_store_begin(x->ctx->store, MQ_DB_READ, &db);
    if (!err) {
        if (x->at == HEAD) {
            err = head(x, db, a);
            x->at = LIBRARY;
        } else if (x->at == TAIL) {
            err = mq_buf_adds(&x->buf, "}\n");
            x->at = END;
        } else {
            if (!x->started) {
                err = mq_buf_printf(&x->buf, ",\n\"%s\":[", NAMES[x->at]);
                x->started = true;
                x->any = false;
            }
            bool more = false;
            if (!err) err = page(x, db, a, &more);
            if (!err && !more) {
                err = mq_buf_adds(&x->buf, "]");
                x->started = false;
                set_after(x, NULL);
                memset(&x->history, 0, sizeof(x->history));
                x->at++;
            }
        }
        mq_store_rollback(db);
    }
    mq_arena_free(a);
    return err;
}

long mq_export_read(struct mq_export *x, char *out, size_t max)
{
    while (x->sent == x->buf.len) {
        if (x->at == END) return 0;
        mq_buf_reset(&x->buf);
        x->sent = 0;
        mq_err err = fill(x);
        if (err) {
            mq_log_error(x->ctx->log, "track", "export stopped: %s", mq_err_name(err));
            return -1;
        }
    }
    size_t n = x->buf.len - x->sent < max ? x->buf.len - x->sent : max;
    memcpy(out, x->buf.data + x->sent, n);
    x->sent += n;
    return (long)n;
}

/* ---- the zip of CSV files ----------------------------------------------------------- */

/* A CSV cell: quoted, quotes doubled, and a formula's first character
 * kept from a spreadsheet by an apostrophe before it. */
static mq_err cell(struct mq_buf *b, const char *s, bool last)
{
    mq_err err = mq_buf_add(b, "\"", 1);
    if (!err && mq_csv_formula(s)) err = mq_buf_add(b, "'", 1);
    for (const char *p = s ? s : ""; !err && *p; p++)
        err = *p == '"' ? mq_buf_add(b, "\"\"", 2) : mq_buf_add(b, p, 1);
    if (!err) err = mq_buf_adds(b, last ? "\"\r\n" : "\",");
    return err;
}

static mq_err cells(struct mq_buf *b, const char *const *v, size_t n)
{
    mq_err err = MQ_OK;
    for (size_t i = 0; !err && i < n; i++) err = cell(b, v[i], i + 1 == n);
    return err;
}

static const char *when(struct mq_arena *a, int64_t ms)
{
    char *t = mq_arena_alloc(a, 40);
    if (!t) return "";
    if (!ms) return "";
    mq_time_format_rfc3339(ms, t, 40);
    return t;
}

static mq_err csv_files(struct mq_ctx *ctx, struct mq_db *db, struct mq_arena *a,
                        const char *user_id, struct mq_buf files[4])
{
    static const char *const lib_h[] = {"item_id", "title", "type",        "status", "platform",
                                        "rating",  "notes", "consumed_at", "source"};
    static const char *const his_h[] = {"id",         "item_id", "type",     "title",
                                        "watched_at", "source",  "platform", "duration_ms"};
    static const char *const pos_h[] = {"item_id",     "title",    "type",   "state",
                                        "position_ms", "progress", "device", "reported_at"};
    static const char *const imp_h[] = {"import_id", "format", "row", "state",
                                        "item_id",   "title",  "raw"};
    mq_err err = cells(&files[0], lib_h, 9);
    if (!err) err = cells(&files[1], his_h, 8);
    if (!err) err = cells(&files[2], pos_h, 8);
    if (!err) err = cells(&files[3], imp_h, 7);
    (void)ctx;
    const char *after = NULL;
    size_t n = 0;
    do {
        struct mq_export_entry *rows = NULL;
        if (!err) err = mq_store_export_library(db, a, user_id, after, PAGE, &rows, &n);
        for (size_t i = 0; !err && i < n; i++) {
            const struct mq_shelf_row *e = &rows[i].e;
            const char *v[] = {
                e->item_id,   rows[i].title,
                rows[i].kind, e->status,
                e->platform,  e->rating ? mq_arena_printf(a, "%.1f", (double)e->rating / 10) : "",
                e->notes,     when(a, e->consumed_at),
                e->source};
            err = cells(&files[0], v, 9);
        }
        after = n ? rows[n - 1].e.item_id : NULL;
    } while (!err && n == PAGE);
    struct mq_history_filter f = {.user_id = user_id, .limit = PAGE};
    do {
        struct mq_history_row *rows = NULL;
        if (!err) err = mq_store_history(db, a, &f, &rows, &n);
        for (size_t i = 0; !err && i < n; i++) {
            const struct mq_play_row *p = &rows[i].play;
            const char *v[] = {p->id,
                               p->item_id,
                               p->kind,
                               p->title,
                               when(a, p->watched_at),
                               p->source,
                               p->platform,
                               mq_arena_printf(a, "%lld", (long long)p->duration_ms)};
            err = cells(&files[1], v, 8);
        }
        if (n)
            f.after = (struct mq_track_after){true, rows[n - 1].play.watched_at, NULL,
                                              rows[n - 1].play.id};
    } while (!err && n == PAGE);
    after = NULL;
    do {
        struct mq_export_entry *rows = NULL;
        if (!err) err = mq_store_export_progress(db, a, user_id, after, PAGE, &rows, &n);
        for (size_t i = 0; !err && i < n; i++) {
            const struct mq_progress_row *p = &rows[i].p;
            const char *v[] = {p->item_id,
                               rows[i].title,
                               rows[i].kind,
                               p->state,
                               mq_arena_printf(a, "%lld", (long long)p->position_ms),
                               mq_arena_printf(a, "%.3f", (double)p->progress / 1000),
                               p->device,
                               when(a, p->reported_at)};
            err = cells(&files[2], v, 8);
        }
        after = n ? rows[n - 1].p.item_id : NULL;
    } while (!err && n == PAGE);
    struct mq_track_after ia = {0};
    do {
        struct mq_import_row *imps = NULL;
        if (!err) err = mq_store_imports_list(db, a, user_id, &ia, PAGE, &imps, &n);
        for (size_t i = 0; !err && i < n; i++) {
            int64_t line = 0;
            size_t m = 0;
            do {
                struct mq_import_line *lines = NULL;
                err = mq_store_import_lines(db, a, imps[i].id, NULL, line, PAGE, &lines, &m);
                for (size_t k = 0; !err && k < m; k++) {
                    const char *v[] = {imps[i].id,
                                       imps[i].format,
                                       mq_arena_printf(a, "%lld", (long long)lines[k].line),
                                       lines[k].state,
                                       lines[k].item_id,
                                       lines[k].title,
                                       lines[k].raw};
                    err = cells(&files[3], v, 7);
                }
                if (m) line = lines[m - 1].line;
            } while (!err && m == PAGE);
        }
        if (n) ia = (struct mq_track_after){true, imps[n - 1].created_at, NULL, imps[n - 1].id};
    } while (!err && n == PAGE);
    return err;
}

mq_err mq_export_zip(struct mq_ctx *ctx, const char *user_id, char **data, size_t *len)
{
    static const char *const names[] = {"library.csv", "history.csv", "progress.csv",
                                        "import_rows.csv"};
    const struct mq_libzip *lz = mq_libzip();
    *data = NULL;
    *len = 0;
    if (!lz) return MQ_EUNSUPPORTED;
    struct mq_buf files[4];
    for (int i = 0; i < 4; i++) mq_buf_init(&files[i], 256u << 20);
    struct mq_arena *a = mq_arena_new(64 * 1024);
    struct mq_db *db = NULL;
    mq_err err = a ? mq_store_begin(ctx->store, MQ_DB_READ, &db) : MQ_ENOMEM;
    if (!err) {
        err = csv_files(ctx, db, a, user_id, files);
        mq_store_rollback(db);
    }
    zip_error_t ze;
    lz->error_init(&ze);
    zip_source_t *src = err ? NULL : lz->buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? lz->open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (!err && !z) err = MQ_ENOMEM;
    if (!err) lz->keep(src);
    for (int i = 0; !err && i < 4; i++) {
        zip_source_t *f = lz->buffer(z, files[i].data ? files[i].data : "", files[i].len, 0);
        if (!f || lz->file_add(z, names[i], f, ZIP_FL_ENC_UTF_8) < 0) {
            if (f) lz->src_free(f);
            err = MQ_EIO;
        }
    }
    if (z && (err ? (lz->discard(z), 0) : lz->close(z)) < 0) err = MQ_EIO;
    zip_stat_t st;
    if (!err && (lz->open(src) < 0 || lz->stat(src, &st) < 0)) err = MQ_EIO;
    if (!err) {
        *data = malloc(st.size ? st.size : 1);
        /* A read may stop at the end of one of the buffer's fragments. */
        zip_int64_t got = *data ? 0 : -1, r = 1;
        while (got >= 0 && (zip_uint64_t)got < st.size && r > 0) {
            r = lz->read(src, *data + got, st.size - (zip_uint64_t)got);
            got = r < 0 ? -1 : got + r;
        }
        lz->src_close(src);
        if (got < 0 || (zip_uint64_t)got != st.size) {
            free(*data);
            *data = NULL;
            err = MQ_EIO;
        } else {
            *len = (size_t)got;
        }
    }
    if (src && (err || z)) lz->src_free(src);
    lz->error_fini(&ze);
    for (int i = 0; i < 4; i++) mq_buf_cleanup(&files[i]);
    mq_arena_free(a);
    return err;
}
