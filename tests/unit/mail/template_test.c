/* Mail templates: every one renders with the values its callers give, HTML
 * escapes what it inserts, and a missing value is an error, not a hole. */
#include "test.h"

#include <string.h>

#include "core/config.h"
#include "core/text.h"
#include "mail/template.h"
#include "notify/events.h"

static void test_render_and_escape(void **state)
{
    (void)state;
    struct mq_arena *a = mq_arena_new(0);
    const struct mq_mail_template *t = mq_mail_template_find("verify-email");
    assert_non_null(t);
    assert_string_equal(t->subject, "Confirm your e-mail address for Marquee");
    json_t *vars = json_pack("{s:s,s:s,s:s}", "name", "Zoë <b>&\"'", "link",
                             "https://m.example/verify-email?token=mqv_x", "hours", "24");
    char *text = NULL, *html = NULL;
    const char *missing = NULL;
    assert_int_equal(mq_mail_render(a, t->text, vars, MQ_ESCAPE_NONE, &text, &missing), MQ_OK);
    assert_non_null(strstr(text, "Hello Zoë <b>&\"',"));
    assert_non_null(strstr(text, "https://m.example/verify-email?token=mqv_x"));
    assert_null(strstr(text, "{{"));
    assert_int_equal(mq_mail_render(a, t->html, vars, MQ_ESCAPE_HTML, &html, &missing), MQ_OK);
    assert_non_null(strstr(html, "Zoë &lt;b&gt;&amp;&quot;&#39;"));
    json_object_del(vars, "hours");
    assert_int_equal(mq_mail_render(a, t->text, vars, MQ_ESCAPE_NONE, &text, &missing), MQ_EINVAL);
    assert_string_equal(missing, "hours");
    json_decref(vars);
    assert_null(mq_mail_template_find("nope"));
    mq_arena_free(a);
}

/* The values each template is given by src/users/ and src/auth/. */
static void test_every_template_renders(void **state)
{
    (void)state;
    json_t *vars = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name", "Ada", "link", "l", "hours",
        "24", "minutes", "60", "time", "t", "ip", "192.0.2.1", "public_url", "https://m.example",
        "new_email", "n@example.org", "purge_date", "d", "unused", "u", "change", "c", "keys", "k");
    struct mq_arena *a = mq_arena_new(0);
    assert_true(mq_mail_templates_count >= 7);
    for (size_t i = 0; i < mq_mail_templates_count; i++) {
        const struct mq_mail_template *t = &mq_mail_templates[i];
        if (!strncmp(t->name, "notify-", 7)) continue; /* test_notification_templates */
        char *out = NULL;
        const char *missing = NULL;
        assert_int_equal(mq_mail_render(a, t->text, vars, MQ_ESCAPE_NONE, &out, &missing), MQ_OK);
        assert_int_equal(mq_mail_render(a, t->html, vars, MQ_ESCAPE_HTML, &out, &missing), MQ_OK);
        assert_true(strlen(t->subject) > 5);
    }
    json_decref(vars);
    mq_arena_free(a);
}

/* Every event has its template, and each renders with what notify/ and
 * its producers give; values are escaped for each channel. */
static void test_notification_templates(void **state)
{
    (void)state;
    static const char *const names[] = {
        "title",    "after",   "where",  "series",  "season",  "episode",         "collection",
        "person",   "library", "added",  "changed", "removed", "format",          "matched",
        "review",   "failed",  "device", "ip",      "time",    "change",          "until",
        "email",    "how",     "kind",   "job",     "error",   "reason",          "channel",
        "failures", "url",     "count",  "items",   "event",   "unsubscribe_url", "settings_url"};
    json_t *vars = json_object();
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        json_object_set_new(vars, names[i], json_string("v"));
    struct mq_arena *a = mq_arena_new(0);
    for (size_t i = 0; i < mq_notify_events_count; i++) {
        const struct mq_mail_template *t = mq_mail_template_find(mq_notify_events[i].template);
        char *out = NULL;
        const char *missing = NULL;
        assert_non_null(t);
        assert_int_equal(mq_mail_render(a, t->subject, vars, MQ_ESCAPE_SUBJECT, &out, &missing),
                         MQ_OK);
        assert_int_equal(mq_mail_render(a, t->text, vars, MQ_ESCAPE_MARKDOWN, &out, &missing),
                         MQ_OK);
        assert_int_equal(mq_mail_render(a, t->html, vars, MQ_ESCAPE_HTML, &out, &missing), MQ_OK);
    }
    json_decref(vars);

    /* A title from outside cannot make a header, a link or markup. */
    const struct mq_mail_template *t = mq_mail_template_find("notify-media-added");
    vars = json_pack("{s:s,s:s,s:s}", "title", "Evil\r\nBcc: x@example.org [click](http://x) <b>",
                     "library", "*Films*", "url", "https://m.example/media/1");
    char *subject = NULL, *md = NULL, *html = NULL;
    const char *missing = NULL;
    assert_int_equal(mq_mail_render(a, t->subject, vars, MQ_ESCAPE_SUBJECT, &subject, &missing),
                     MQ_OK);
    assert_null(strpbrk(subject, "\r\n"));
    assert_int_equal(mq_mail_render(a, t->text, vars, MQ_ESCAPE_MARKDOWN, &md, &missing), MQ_OK);
    assert_non_null(strstr(md, "\\[click\\]\\(http\\:\\/\\/x\\)"));
    assert_non_null(strstr(md, "\\*Films\\*"));
    assert_int_equal(mq_mail_render(a, t->html, vars, MQ_ESCAPE_HTML, &html, &missing), MQ_OK);
    assert_non_null(strstr(html, "&lt;b&gt;"));
    json_decref(vars);

    /* {{{raw}}} is put in as it is: only for what the caller escaped. */
    t = mq_mail_template_find("notify-digest");
    vars = json_pack("{s:s,s:s,s:s}", "count", "2", "items", "<li>a</li>", "url", "u");
    assert_int_equal(mq_mail_render(a, t->html, vars, MQ_ESCAPE_HTML, &html, &missing), MQ_OK);
    assert_non_null(strstr(html, "<li>a</li>"));
    json_decref(vars);
    mq_arena_free(a);
}

static void test_addresses(void **state)
{
    (void)state;
    assert_true(mq_mail_address_valid("ada@example.org"));
    assert_true(mq_mail_address_valid("jörg@bücher.example"));
    const char *bad[] = {"",
                         "ada",
                         "@example.org",
                         "ada@",
                         "a@b@c",
                         "ada@example.org\r\nBcc: x@y",
                         "Ada <ada@example.org>",
                         "a,b@example.org",
                         "a b@example.org"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(mq_mail_address_valid(bad[i]));
    assert_false(mq_mail_address_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_and_escape),
        cmocka_unit_test(test_every_template_renders),
        cmocka_unit_test(test_notification_templates),
        cmocka_unit_test(test_addresses),
    };
    return RUN(tests);
}
