/* Subtitles made into WebVTT: SubRip, SubStation Alpha, WebVTT cleaned,
 * and hostile cue text that must not break out of its cue. */
#include "test.h"

#include <string.h>

#include "core/utf8.h"
#include "media/subtitles.h"

static char *convert(const char *in, enum mq_subtitle_format f, mq_err *err)
{
    static struct mq_buf out;
    mq_buf_cleanup(&out);
    mq_buf_init(&out, 1 << 20);
    *err = mq_subtitle_to_vtt(in, strlen(in), f, &out);
    mq_err e = mq_buf_add(&out, "", 1);
    (void)e;
    return out.data;
}

static void test_srt(void **state)
{
    (void)state;
    mq_err err;
    const char *srt = "\xEF\xBB\xBF"
                      "1\r\n00:00:01,000 --> 00:00:02,500\r\nHello <i>there</i>\r\n<font "
                      "color=\"red\">red</font> & co\r\n\r\n2\r\n00:01:02,003 --> 00:01:03,000\r\n"
                      "Second\r\n";
    char *v = convert(srt, MQ_SUB_SRT, &err);
    assert_int_equal(err, MQ_OK);
    assert_string_equal(v, "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello <i>there</i>\nred "
                           "&amp; co\n\n00:01:02.003 --> 00:01:03.000\nSecond\n\n");
}

static void test_ass(void **state)
{
    (void)state;
    mq_err err;
    const char *ass = "[Script Info]\nTitle: x\n\n[Events]\nFormat: Layer, Start, End, Style, "
                      "Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: "
                      "0,0:00:01.50,0:00:03.00,Default,,0,0,0,,{\\i1}Hi,{\\b1} you\\Nthere\n";
    char *v = convert(ass, MQ_SUB_ASS, &err);
    assert_int_equal(err, MQ_OK);
    assert_string_equal(v, "WEBVTT\n\n00:00:01.500 --> 00:00:03.000\nHi, you\nthere\n\n");
}

/* Text that tries to end its cue, start another, or carry markup. */
static void test_hostile_text(void **state)
{
    (void)state;
    mq_err err;
    const char *srt = "1\n00:00:01,000 --> 00:00:02,000\nline --> 00:00:09.000\n<script>x</script>"
                      "\xff\x01\n\n\n";
    char *v = convert(srt, MQ_SUB_SRT, &err);
    assert_int_equal(err, MQ_OK);
    assert_null(strstr(v + 30, "-->"));
    assert_null(strstr(v, "<script>"));
    assert_true(mq_utf8_valid(v, strlen(v)));
    convert("no cues here\n", MQ_SUB_SRT, &err);
    assert_int_equal(err, MQ_EPARSE);
    convert("WEBVTT\n\nNOTE hi\n\n00:01.000 --> 00:02.000 align:start\nshort form\n", MQ_SUB_VTT,
            &err);
    assert_int_equal(err, MQ_OK);
    assert_int_equal(mq_subtitle_format_of("a.SRT"), MQ_SUB_SRT);
    assert_int_equal(mq_subtitle_format_of("a.sup"), MQ_SUB_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srt),
        cmocka_unit_test(test_ass),
        cmocka_unit_test(test_hostile_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
