/* conf.h - search's settings: when words are common enough that a query
 * stops requiring them. */
#ifndef MQ_SEARCH_CONF_H
#define MQ_SEARCH_CONF_H

#include "core/config.h"

struct mq_search_conf {
    int common_min_documents; /* documents a catalogue needs before words are ever common */
    int common_share;         /* a word in more than one document in this many is common */
};

extern const struct mq_config_module mq_config_search;

static inline const struct mq_search_conf *mq_search_conf(const struct mq_config *cfg)
{
    return mq_config_values(cfg, &mq_config_search);
}

#endif
