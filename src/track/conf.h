/* conf.h - tracking's settings: when a work counts as finished, and when
 * a position is worth resuming. */
#ifndef MQ_TRACK_CONF_H
#define MQ_TRACK_CONF_H

#include "core/config.h"

struct mq_track_conf {
    int complete_percent;   /* at or past this share a work is finished */
    long complete_credits;  /* ms: with less than this left, too (end credits) */
    int resume_min_percent; /* under this share a position is not resumable */
    long resume_min_ms;     /* nor under this much time */
    int match_fuzzy;        /* imports: fuzzy titles too, not only exact ones */
    int match_threshold;    /* 0-1000: the confidence a match needs */
    int match_provider;     /* look titles the catalogue lacks up with the metadata provider */
    long import_max_size;   /* bytes of an uploaded export */
    int import_max_rows;    /* rows of one */
    int imports_per_hour;   /* a member's imports in an hour */
    char *monitor_schedule; /* when the monitor runs (jobs/schedule.h) */
};

extern const struct mq_config_module mq_config_track;

static inline const struct mq_track_conf *mq_track_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_track);
}

#endif
