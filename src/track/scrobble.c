#include "track/scrobble.h"

#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "core/uuid.h"
#include "crypto/token.h"
#include "media/libraries.h"
#include "track/formats.h"
#include "track/import.h"
#include "track/match.h"
#include "track/progress.h"

#define PREFIX "mqs_"

mq_err mq_scrobble_token_create(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                                const char *name, struct mq_scrobble_token_row *out,
                                const char **secret, struct mq_refusal *why)
{
    const char *bad = NULL;
    if (!name || strlen(name) > MQ_SCROBBLE_NAME_MAX || !mq_display_name_valid(name, &bad))
        return mq_refuse(why, MQ_EINVAL, "invalid_name", "name",
                         "name is 1 to %d bytes without control characters", MQ_SCROBBLE_NAME_MAX);
    char hash[65], *id = mq_arena_alloc(a, 37);
    if (!id) return MQ_ENOMEM;
    *secret = mq_secret_token_new(ctx->rng, a, PREFIX, hash);
    if (!*secret) return MQ_ENOMEM;
    mq_uuid7_new(ctx->clock, ctx->rng, id);
    *out = (struct mq_scrobble_token_row){.id = id,
                                          .user_id = user_id,
                                          .name = mq_arena_strdup(a, name),
                                          .token_hash = mq_arena_strdup(a, hash),
                                          .created_at = mq_clock_now_ms(ctx->clock)};
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_scrobble_token_insert(db, out);
    return mq_store_finish(db, err);
}

mq_err mq_scrobble_tokens(struct mq_ctx *ctx, struct mq_arena *a, const char *user_id,
                          struct mq_scrobble_token_row **out, size_t *n)
{
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_READ, &db);
    if (err) return err;
    err = mq_store_scrobble_tokens(db, a, user_id, out, n);
    mq_store_rollback(db);
    return err;
}

mq_err mq_scrobble_token_revoke(struct mq_ctx *ctx, const char *user_id, const char *id)
{
    struct mq_db *db = NULL;
    if (!id || !mq_uuid_valid(id, strlen(id))) return MQ_ENOTFOUND;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_scrobble_token_delete(db, user_id, id);
    return mq_store_finish(db, err);
}

/* ---- what a payload says ---------------------------------------------------- */

struct event {
    const char *source;
    enum { PLAYED, POSITION, IGNORED } action;
    struct mq_import_entry e;
    int episode_end;                /* a multi-episode file's last, or -1 */
    int64_t position_ms, length_ms; /* for a position */
};

static const char *str(struct mq_arena *a, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s && strlen(s) < 1024 ? mq_arena_strdup(a, s) : NULL;
}

static int num(json_t *o, const char *key, int none)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 100000
               ? (int)json_integer_value(v)
               : none;
}

/* Plex writes ids as "imdb://tt0133093", "tmdb://603", "tvdb://81189". */
static void plex_ids(struct mq_arena *a, json_t *guids, struct mq_import_entry *e)
{
    size_t i;
    json_t *g;
    json_array_foreach(guids, i, g)
    {
        const char *id = json_string_value(json_object_get(g, "id"));
        if (!id) continue;
        static const struct {
            const char *scheme;
            int slot;
        } schemes[] = {{"imdb://", MQ_ID_IMDB}, {"tmdb://", MQ_ID_TMDB}, {"tvdb://", MQ_ID_TVDB}};
        for (size_t k = 0; k < 3; k++) {
            size_t n = strlen(schemes[k].scheme);
            if (!strncmp(id, schemes[k].scheme, n) && id[n] && strlen(id) < 64)
                e->ids[schemes[k].slot] = mq_arena_strdup(a, id + n);
        }
    }
}

static bool plex(struct mq_arena *a, json_t *p, struct event *ev)
{
    const char *event = json_string_value(json_object_get(p, "event"));
    json_t *md = json_object_get(p, "Metadata");
    if (!event || !json_is_object(md)) return false;
    ev->source = "plex";
    const char *type = json_string_value(json_object_get(md, "type"));
    if (!type || (strcmp(type, "movie") && strcmp(type, "episode"))) {
        ev->action = IGNORED; /* music, photos, clips */
        return true;
    }
    bool episode = !strcmp(type, "episode");
    ev->e.kind = episode ? "series" : "movie";
    ev->e.title = str(a, md, episode ? "grandparentTitle" : "title");
    ev->e.year = episode ? 0 : num(md, "year", 0);
    ev->e.season = episode ? num(md, "parentIndex", -1) : -1;
    ev->e.episode = episode ? num(md, "index", -1) : -1;
    ev->e.episode_title = episode ? str(a, md, "title") : NULL;
    /* An episode's ids are the episode's, not the series': titles find it. */
    if (!episode) plex_ids(a, json_object_get(md, "Guid"), &ev->e);
    json_t *off = json_object_get(md, "viewOffset"), *dur = json_object_get(md, "duration");
    ev->position_ms = json_is_integer(off) ? json_integer_value(off) : 0;
    ev->length_ms = json_is_integer(dur) ? json_integer_value(dur) : 0;
    if (!strcmp(event, "media.scrobble"))
        ev->action = PLAYED;
    else if (!strcmp(event, "media.stop") || !strcmp(event, "media.pause") ||
             !strcmp(event, "media.play") || !strcmp(event, "media.resume"))
        ev->action = POSITION;
    else
        ev->action = IGNORED;
    return true;
}

/* Jellyfin's ticks are 100 ns. */
static int64_t ticks_ms(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) / 10000 : 0;
}

static bool jellyfin(struct mq_arena *a, json_t *p, struct event *ev)
{
    const char *type = json_string_value(json_object_get(p, "NotificationType"));
    if (!type) return false;
    ev->source = json_is_string(json_object_get(p, "ServerName")) &&
                         strcasestr(json_string_value(json_object_get(p, "ServerName")), "emby")
                     ? "emby"
                     : "jellyfin";
    const char *item = json_string_value(json_object_get(p, "ItemType"));
    if (!item || (strcmp(item, "Movie") && strcmp(item, "Episode"))) {
        ev->action = IGNORED;
        return true;
    }
    bool episode = !strcmp(item, "Episode");
    ev->e.kind = episode ? "series" : "movie";
    ev->e.title = str(a, p, episode ? "SeriesName" : "Name");
    ev->e.year = episode ? 0 : num(p, "Year", 0);
    ev->e.season = episode ? num(p, "SeasonNumber", -1) : -1;
    ev->e.episode = episode ? num(p, "EpisodeNumber", -1) : -1;
    ev->episode_end = episode ? num(p, "EpisodeNumberEnd", -1) : -1;
    ev->e.episode_title = episode ? str(a, p, "Name") : NULL;
    if (!episode) {
        ev->e.ids[MQ_ID_IMDB] = str(a, p, "Provider_imdb");
        ev->e.ids[MQ_ID_TMDB] = str(a, p, "Provider_tmdb");
        ev->e.ids[MQ_ID_TVDB] = str(a, p, "Provider_tvdb");
    }
    ev->position_ms = ticks_ms(p, "PlaybackPositionTicks");
    ev->length_ms = ticks_ms(p, "RunTimeTicks");
    bool done = json_is_true(json_object_get(p, "PlayedToCompletion"));
    if (!strcmp(type, "PlaybackStop"))
        ev->action = done ? PLAYED : POSITION;
    else if (!strcmp(type, "PlaybackProgress") || !strcmp(type, "PlaybackStart"))
        ev->action = POSITION;
    else if (!strcmp(type, "UserDataSaved"))
        /* "Mark played" in the app: a play; unmarking is not followed. */
        ev->action = json_is_true(json_object_get(p, "Played")) ? PLAYED : IGNORED;
    else
        ev->action = IGNORED;
    return true;
}

/* ---- taking one ------------------------------------------------------------------ */

static mq_err owner_of(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                       struct mq_scrobble_token_row *row)
{
    char hash[65];
    if (!token || !mq_secret_token_shaped(token, PREFIX)) return MQ_EPERM;
    mq_secret_token_hash(token, hash);
    struct mq_db *db = NULL;
    mq_err err = mq_store_begin(ctx->store, MQ_DB_WRITE, &db);
    if (err) return err;
    err = mq_store_scrobble_token_by_hash(db, a, hash, row);
    if (!err) err = mq_store_scrobble_token_used(db, row->id, mq_clock_now_ms(ctx->clock));
    err = mq_store_finish(db, err);
    return err == MQ_ENOTFOUND ? MQ_EPERM : err;
}

mq_err mq_scrobble_receive(struct mq_ctx *ctx, struct mq_arena *a, const char *token,
                           json_t *payload, struct mq_scrobble_result *out, struct mq_refusal *why)
{
    struct mq_scrobble_token_row tok;
    struct event ev = {.episode_end = -1};
    memset(out, 0, sizeof(*out));
    ev.e.season = ev.e.episode = -1;
    mq_err err = owner_of(ctx, a, token, &tok);
    if (err) return err;
    if (!json_is_object(payload) || !(plex(a, payload, &ev) || jellyfin(a, payload, &ev)))
        return mq_refuse(why, MQ_EINVAL, "unknown_payload", NULL,
                         "the body is neither Plex's webhook nor Jellyfin's or Emby's");
    out->source = ev.source;
    out->action = "ignored";
    if (ev.action == IGNORED || !ev.e.title) {
        out->reason = ev.e.title || ev.action == IGNORED ? "not_a_viewing" : "no_title";
        return MQ_OK;
    }
    struct mq_visible vis;
    struct mq_matcher *m = NULL;
    struct mq_match mt;
    int64_t now = mq_clock_now_ms(ctx->clock);
    ev.e.platform = ev.source;
    ev.e.status = "completed";
    ev.e.play = true;
    /* The minute the server said it: a retried webhook is the same play. */
    ev.e.watched_at = now / 60000 * 60000;
    err = mq_libraries_visible_to(ctx, a, tok.user_id, &vis);
    if (!err) err = mq_matcher_new(ctx, a, &vis, tok.user_id, &m);
    int last = ev.episode_end > ev.e.episode ? ev.episode_end : ev.e.episode;
    int first = ev.e.episode;
    for (int n = first; !err && n <= last; n++) {
        /* Each episode of a multi-episode file is a play of its own. */
        ev.e.episode = n;
        if (n != first) ev.e.episode_title = NULL;
        err = mq_match_entry(m, &ev.e, &mt);
        if (err || !mt.item_id) {
            if (!err) out->reason = mt.reason ? mt.reason : "no_candidates";
            break;
        }
        out->item_id = mt.item_id;
        if (ev.action == PLAYED) {
            const char *state = NULL;
            err = mq_import_record_one(ctx, a, tok.user_id, ev.source, &ev.e, mt.item_id, &state);
            if (!err && !strcmp(state, "matched")) out->plays++;
            out->action = "played";
        } else {
            struct mq_progress_report r = {.position_ms = ev.position_ms,
                                           .duration_ms = ev.length_ms,
                                           .progress = -1,
                                           .device = ev.source};
            struct mq_progress p;
            struct mq_refusal ignored = {0};
            err = mq_progress_report(ctx, a, &vis, tok.user_id, mt.item_id, &r, &p, &ignored);
            out->action = "position";
        }
        if (first < 0) break;
    }
    mq_matcher_free(m);
    return err;
}
