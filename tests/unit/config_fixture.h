/* config_fixture.h - setting a configuration key in a test the way a flag
 * would, through the key's own parser and validator. */
#ifndef MQ_TEST_CONFIG_FIXTURE_H
#define MQ_TEST_CONFIG_FIXTURE_H

#include "core/config.h"

/* Sets key of cfg to value from the command line, or fails the test. */
static inline void fixture_set(struct mq_config *cfg, const char *key, const char *value)
{
    char err[256];
    int i = mq_config_key_index(key);
    assert_true(i >= 0);
    assert_int_equal(mq_config_set(cfg, (size_t)i, value, MQ_SRC_FLAG, err, sizeof(err)), MQ_OK);
}

#endif
