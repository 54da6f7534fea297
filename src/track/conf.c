#include "track/conf.h"

#include <string.h>

#include "jobs/schedule.h"

#define OFF(f) offsetof(struct mq_track_conf, f)

/* In the order of the values (exact = 0). */
static const char *const STRATEGIES[] = {"exact", "fuzzy", NULL};

static bool schedule_valid(const char *s, size_t n, const char **why)
{
    char text[64];
    struct mq_schedule parsed;
    if (n >= sizeof(text)) n = sizeof(text) - 1;
    memcpy(text, s, n);
    text[n] = 0;
    if (mq_schedule_parse(text, &parsed) == MQ_OK) return true;
    *why = "a schedule: hourly, daily at HH:MM, weekly on DAY at HH:MM, or every N(s|m|h|d)";
    return false;
}

static const struct mq_setting settings[] = {
    {"track_complete_percent", MQ_SETTING_INT, OFF(complete_percent), "90", NULL, 50, 100,
     MQ_CONFIG_LIVE, NULL, NULL,
     "a work played to this share of its length is finished: the play goes into history and "
     "the work leaves Continue Watching (Jellyfin's MaxResumePct)"},
    {"track_complete_credits", MQ_SETTING_DURATION, OFF(complete_credits), "2m", NULL, 0, 1800000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "a work with less than this left is finished too, whatever its share (end credits of short "
     "episodes; 0 = only the share counts)"},
    {"track_resume_min_percent", MQ_SETTING_INT, OFF(resume_min_percent), "5", NULL, 0, 50,
     MQ_CONFIG_LIVE, NULL, NULL,
     "a position under this share of the work is not offered for resuming (Jellyfin's "
     "MinResumePct)"},
    {"track_resume_min_duration", MQ_SETTING_DURATION, OFF(resume_min_ms), "1m", NULL, 0, 3600000,
     MQ_CONFIG_LIVE, NULL, NULL, "nor a position under this much time from the start"},
    {"track_match_strategy", MQ_SETTING_CHOICE, OFF(match_fuzzy), "fuzzy", NULL, 0, 0,
     MQ_CONFIG_LIVE, STRATEGIES, NULL,
     "how imported titles meet the catalogue: exact (after folding case, accents, punctuation "
     "and articles) or fuzzy (typos and word order too, scored by similarity)"},
    {"track_match_threshold", MQ_SETTING_INT, OFF(match_threshold), "850", NULL, 500, 1000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "the confidence (0-1000) an imported row's match needs; below it the row waits in the "
     "member's review queue with its candidates"},
    {"track_match_provider", MQ_SETTING_BOOL, OFF(match_provider), "true", NULL, 0, 0,
     MQ_CONFIG_LIVE, NULL, NULL,
     "look an imported title the catalogue lacks up with the metadata provider (when "
     "metadata_enabled), adding a sure answer as a catalogue-only work by its provider id; "
     "the provider offline leaves the row for review"},
    {"track_import_max_size", MQ_SETTING_SIZE, OFF(import_max_size), "10MiB", NULL, 1024,
     256L << 20, 0, NULL, NULL, "largest export a member may upload (413 past it)"},
    {"track_import_max_rows", MQ_SETTING_INT, OFF(import_max_rows), "10000", NULL, 1, 1000000,
     MQ_CONFIG_LIVE, NULL, NULL, "most rows of one import (422 past it)"},
    {"track_imports_per_hour", MQ_SETTING_INT, OFF(imports_per_hour), "5", NULL, 1, 1000,
     MQ_CONFIG_LIVE, NULL, NULL, "imports a member may start in an hour (429 past it)"},
    {"track_monitor_schedule", MQ_SETTING_STRING, OFF(monitor_schedule), "daily at 05:00", NULL, 0,
     63, 0, NULL, schedule_valid,
     "when the monitor looks for what comes next after what members finished (UTC; hourly, "
     "daily at HH:MM, weekly on DAY at HH:MM, every N(s|m|h|d))"},
};

const struct mq_config_module mq_config_track = {.name = "track",
                                                 .rank = 69,
                                                 .size = sizeof(struct mq_track_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
