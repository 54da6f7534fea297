#include "search/conf.h"

#define OFF(f) offsetof(struct mq_search_conf, f)

static const struct mq_setting settings[] = {
    {"search_common_min_documents", MQ_SETTING_INT, OFF(common_min_documents), "10000", NULL, 0,
     100000000, MQ_CONFIG_LIVE, NULL, NULL,
     "in a search index with at least this many documents, a word in more than one document in "
     "search_common_share (\"the\") is not required when rarer words are typed with it, and typed "
     "alone finds the titles that are or start with it; smaller indexes match every word"},
    {"search_common_share", MQ_SETTING_INT, OFF(common_share), "50", NULL, 2, 100000,
     MQ_CONFIG_LIVE, NULL, NULL,
     "a word is common when more than one document in this many holds it (50: 2%)"},
};

const struct mq_config_module mq_config_search = {.name = "search",
                                                  .rank = 68,
                                                  .size = sizeof(struct mq_search_conf),
                                                  .settings = settings,
                                                  .nsettings = MQ_CONFIG_COUNT(settings)};
