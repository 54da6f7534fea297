#include "metadata/provider.h"

#include <string.h>

static const struct mq_provider *const PROVIDERS[] = {&mq_provider_tmdb, &mq_provider_openlibrary,
                                                      NULL};

const struct mq_provider *mq_provider_find(const char *name)
{
    for (int i = 0; name && PROVIDERS[i]; i++)
        if (!strcmp(PROVIDERS[i]->name, name)) return PROVIDERS[i];
    return NULL;
}

const char *mq_provider_default_order(const char *library_kind)
{
    if (library_kind && (!strcmp(library_kind, "books") || !strcmp(library_kind, "audiobooks")))
        return "[\"local\",\"openlibrary\"]";
    return "[\"local\",\"tmdb\"]";
}

bool mq_provider_order_valid(const json_t *order, const char **why)
{
    *why = "metadata_order is a list of providers: local, tmdb, openlibrary, each once";
    if (!json_is_array(order) || json_array_size(order) > 8) return false;
    for (size_t i = 0; i < json_array_size(order); i++) {
        const char *name = json_string_value(json_array_get(order, i));
        if (!name || (strcmp(name, "local") && !mq_provider_find(name))) return false;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, json_string_value(json_array_get(order, j)))) return false;
    }
    return true;
}
