#include "track/conf.h"

#define OFF(f) offsetof(struct mq_track_conf, f)

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
};

const struct mq_config_module mq_config_track = {.name = "track",
                                                 .rank = 69,
                                                 .size = sizeof(struct mq_track_conf),
                                                 .settings = settings,
                                                 .nsettings = MQ_CONFIG_COUNT(settings)};
