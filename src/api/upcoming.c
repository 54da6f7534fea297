/* upcoming.c - what is announced next (/api/v1/users/me/upcoming), the
 * same as an iCalendar feed (/api/v1/users/me/calendar.ics?token=, RFC
 * 5545) and its token (/api/v1/users/me/calendar-token)
 * (src/track/upcoming.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/body.h"
#include "api/handlers.h"
#include "auth/principal.h"
#include "core/buf.h"
#include "http/page.h"
#include "media/libraries.h"
#include "system/conf.h"
#include "track/upcoming.h"

#define FEED_DAYS_BACK 30
#define FEED_MAX       500

static void date_of(int64_t unix_s, char out[11])
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static bool date_valid(const char *s)
{
    struct tm tm = {0};
    const char *end = s ? strptime(s, "%Y-%m-%d", &tm) : NULL;
    return end && !*end && strlen(s) == 10;
}

static json_t *upcoming_item(const void *row, void *arg)
{
    const struct mq_upcoming_item *u = row;
    (void)arg;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", u->row.id, "type", u->row.kind, "title",
                          u->row.title, "date", u->row.release_date);
    json_object_set_new(o, "series", mq_api_nullable(u->row.series_title));
    json_object_set_new(o, "season",
                        u->row.season >= 0 ? json_integer(u->row.season) : json_null());
    json_object_set_new(o, "episode",
                        u->row.episode >= 0 ? json_integer(u->row.episode) : json_null());
    json_object_set_new(o, "platforms", mq_api_nullable(u->platforms));
    json_object_set_new(o, "url", mq_api_nullable(u->url));
    return o;
}

static const char *upcoming_position(struct mq_arena *a, const void *row, void *arg)
{
    const struct mq_upcoming_item *u = row;
    (void)arg;
    return mq_arena_printf(a, "%s|%s", u->row.release_date, u->row.id);
}

/* GET /api/v1/users/me/upcoming?from=YYYY-MM-DD */
mq_err mq_api_upcoming(struct mq_req *req)
{
    struct mq_page page;
    struct mq_visible vis;
    struct mq_upcoming_item *items = NULL;
    const char *from = NULL, *after_date = NULL, *after_id = NULL;
    char today[11];
    size_t n = 0;
    mq_err err = mq_page_parse(req, &page);
    if (!err) err = mq_api_query_text(req, "from", &from);
    if (err) return err;
    if (from && !date_valid(from)) return mq_api_bad_filter(req, "from", "is a date, YYYY-MM-DD");
    date_of(mq_clock_now_ms(req->ctx->clock) / 1000, today);
    if (page.after) {
        const char *bar = strchr(page.after, '|');
        if (!bar || bar - page.after != 10)
            return mq_problem(req, 400, "invalid_cursor", NULL, "the cursor is not this list's");
        after_date = mq_arena_strndup(req->arena, page.after, 10);
        after_id = bar + 1;
    }
    err = mq_libraries_visible(req->ctx, req->arena, req->principal, &vis);
    if (!err)
        err = mq_upcoming(req->ctx, req->arena, &vis, req->principal->user_id, from ? from : today,
                          after_date, after_id, page.fetch, &items, &n);
    if (err) return err;
    struct mq_page_rows r = {items, n, sizeof(*items), upcoming_item, upcoming_position, NULL};
    return mq_page_answer(req, &page, &r);
}

/* ---- iCalendar ------------------------------------------------------------ */

/* A content line, folded at 75 octets between characters (RFC 5545 3.1). */
static mq_err line(struct mq_buf *b, const char *text)
{
    size_t n = strlen(text), at = 0, width = 75;
    mq_err err = MQ_OK;
    while (!err && n - at > width) {
        size_t cut = at + width;
        while (cut > at && ((unsigned char)text[cut] & 0xc0) == 0x80) cut--;
        err = mq_buf_add(b, text + at, cut - at);
        if (!err) err = mq_buf_adds(b, "\r\n ");
        at = cut;
        width = 74; /* the leading space counts */
    }
    if (!err) err = mq_buf_add(b, text + at, n - at);
    return err ? err : mq_buf_adds(b, "\r\n");
}

/* A TEXT value (RFC 5545 3.3.11): \\ \\; \\, \\n escaped, control characters dropped. */
static char *ical_text(struct mq_arena *a, const char *s)
{
    struct mq_buf b;
    mq_buf_init(&b, 16 * 1024);
    mq_err err = MQ_OK;
    for (; s && *s && !err; s++) {
        if (*s == '\\' || *s == ';' || *s == ',') {
            char esc[3] = {'\\', *s, 0};
            err = mq_buf_adds(&b, esc);
        } else if (*s == '\n') {
            err = mq_buf_adds(&b, "\\n");
        } else if ((unsigned char)*s >= 0x20 && *s != 0x7f) {
            err = mq_buf_add(&b, s, 1);
        }
    }
    char *out = err ? NULL : mq_arena_strndup(a, b.data ? b.data : "", b.len);
    mq_buf_cleanup(&b);
    return out;
}

static void stamp(int64_t ms, char out[17])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static mq_err event(struct mq_req *req, struct mq_buf *b, const struct mq_upcoming_item *u,
                    const char *base, const char *host, const char *now)
{
    struct mq_arena *a = req->arena;
    struct tm tm = {0};
    char start[9], end[9], modified[17];
    if (!strptime(u->row.release_date, "%Y-%m-%d", &tm)) return MQ_OK;
    time_t day = timegm(&tm);
    strftime(start, sizeof(start), "%Y%m%d", &tm);
    day += 86400;
    gmtime_r(&day, &tm);
    strftime(end, sizeof(end), "%Y%m%d", &tm);
    stamp(u->row.updated_at, modified);
    const char *summary =
        u->row.series_title && u->row.season >= 0 && u->row.episode >= 0
            ? mq_arena_printf(a, "%s S%02lldE%02lld: %s", u->row.series_title,
                              (long long)u->row.season, (long long)u->row.episode, u->row.title)
            : u->row.title;
    const char *desc = u->platforms ? mq_arena_printf(a, "On %s", u->platforms) : "";
    mq_err err = line(b, "BEGIN:VEVENT");
    /* The work's id: the same event in every fetch, so calendars update it. */
    if (!err) err = line(b, mq_arena_printf(a, "UID:%s@%s", u->row.id, host));
    if (!err) err = line(b, mq_arena_printf(a, "DTSTAMP:%s", now));
    if (!err) err = line(b, mq_arena_printf(a, "LAST-MODIFIED:%s", modified));
    if (!err) err = line(b, mq_arena_printf(a, "DTSTART;VALUE=DATE:%s", start));
    if (!err) err = line(b, mq_arena_printf(a, "DTEND;VALUE=DATE:%s", end));
    if (!err) err = line(b, mq_arena_printf(a, "SUMMARY:%s", ical_text(a, summary)));
    if (!err && *desc) err = line(b, mq_arena_printf(a, "DESCRIPTION:%s", ical_text(a, desc)));
    if (!err) err = line(b, mq_arena_printf(a, "URL:%s/media/%s", base, u->row.id));
    if (!err) err = line(b, "TRANSP:TRANSPARENT");
    if (!err) err = line(b, "END:VEVENT");
    return err;
}

/* GET /api/v1/users/me/calendar.ics?token= */
mq_err mq_api_calendar_feed(struct mq_req *req)
{
    const char *token = NULL;
    struct mq_upcoming_item *items = NULL;
    size_t n = 0;
    char from[11], now[17];
    int64_t ms = mq_clock_now_ms(req->ctx->clock);
    mq_err err = mq_req_query(req, "token", &token);
    if (err) return err;
    date_of(ms / 1000 - FEED_DAYS_BACK * 86400, from);
    err = mq_calendar_feed(req->ctx, req->arena, token, from, FEED_MAX, &items, &n);
    if (err == MQ_EPERM)
        return mq_problem(req, 401, "invalid_token", NULL,
                          "this calendar link is not, or no longer, valid");
    if (err) return err;
    const char *base = mq_system_conf(req->ctx->cfg)->public_url;
    if (!base) base = "";
    const char *host = strstr(base, "://") ? strstr(base, "://") + 3 : "marquee.invalid";
    host = mq_arena_strndup(req->arena, host, strcspn(host, ":/"));
    stamp(ms, now);
    struct mq_buf b;
    mq_buf_init(&b, 8u << 20);
    err = line(&b, "BEGIN:VCALENDAR");
    if (!err) err = line(&b, "VERSION:2.0");
    if (!err) err = line(&b, "PRODID:-//Marquee//Upcoming " MQ_VERSION "//EN");
    if (!err) err = line(&b, "CALSCALE:GREGORIAN");
    if (!err) err = line(&b, "METHOD:PUBLISH");
    if (!err) err = line(&b, "X-WR-CALNAME:Marquee: what comes next");
    for (size_t i = 0; !err && i < n; i++) err = event(req, &b, &items[i], base, host, now);
    if (!err) err = line(&b, "END:VCALENDAR");
    if (!err) {
        /* A feed with a secret in its URL: not for shared caches. */
        mq_reply_header(req, "Cache-Control", "private, no-store");
        /* The answer is sent after this returns: it lives in the arena. */
        char *body = mq_arena_strndup(req->arena, b.data ? b.data : "", b.len);
        err = body ? mq_reply_bytes(req, 200, "text/calendar; charset=utf-8", body, b.len)
                   : MQ_ENOMEM;
    }
    mq_buf_cleanup(&b);
    return err;
}

/* GET /api/v1/users/me/calendar-token */
mq_err mq_api_calendar_token_get(struct mq_req *req)
{
    int64_t at = 0;
    mq_err err = mq_calendar_token_status(req->ctx, req->principal->user_id, &at);
    if (err && err != MQ_ENOTFOUND) return err;
    json_t *o = json_pack("{s:b}", "exists", err == MQ_OK);
    json_object_set_new(o, "created_at", mq_api_time(err ? 0 : at));
    return mq_reply_json(req, 200, o);
}

/* POST /api/v1/users/me/calendar-token: a new one, shown this once. */
mq_err mq_api_calendar_token_rotate(struct mq_req *req)
{
    const char *token = NULL;
    mq_err err = mq_calendar_token_rotate(req->ctx, req->arena, req->principal->user_id, &token);
    if (err) return err;
    mq_req_audit(req, "calendar_token.rotated", req->actor_kind, "user", req->principal->user_id,
                 NULL);
    return mq_reply_json(req, 201,
                         json_pack("{s:s,s:o}", "token", token, "path",
                                   json_sprintf("/api/v1/users/me/calendar.ics?token=%s", token)));
}

/* DELETE /api/v1/users/me/calendar-token */
mq_err mq_api_calendar_token_delete(struct mq_req *req)
{
    mq_err err = mq_calendar_token_revoke(req->ctx, req->principal->user_id);
    if (err == MQ_ENOTFOUND)
        return mq_problem(req, 404, "calendar_token_not_found", NULL, "you have no calendar link");
    if (err) return err;
    mq_req_audit(req, "calendar_token.revoked", req->actor_kind, "user", req->principal->user_id,
                 NULL);
    return mq_reply_empty(req, 204);
}
