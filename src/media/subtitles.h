/* subtitles.h - text subtitles made into WebVTT, the one format every
 * browser plays: SubRip (.srt), SubStation Alpha (.ass, .ssa), WebVTT
 * itself (cleaned), and the cues of subtitle streams inside containers.
 *
 * The input is anyone's file: every cue is rebuilt, never copied, so what
 * comes out is valid UTF-8 WebVTT whatever came in (markup other than
 * <b>, <i> and <u> is dropped, "-->" and blank lines cannot end a cue
 * early). */
#ifndef MQ_MEDIA_SUBTITLES_H
#define MQ_MEDIA_SUBTITLES_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define MQ_SUBTITLE_MAX (16u << 20) /* bytes of subtitle file read at most */

enum mq_subtitle_format { MQ_SUB_SRT, MQ_SUB_VTT, MQ_SUB_ASS, MQ_SUB_UNKNOWN };

/* By file extension ("srt", "vtt", "ass", "ssa"; case insensitive). */
enum mq_subtitle_format mq_subtitle_format_of(const char *path);

/* Appends the WebVTT form of a whole subtitle file. MQ_EPARSE when not one
 * cue could be read. */
MQ_MUST_CHECK mq_err mq_subtitle_to_vtt(const char *data, size_t n, enum mq_subtitle_format f,
                                        struct mq_buf *out);

/* What a cue's text is: SubRip-style text with HTML-like markup; an ASS
 * event (the fields of a Dialogue line without its name, as Matroska
 * stores them); or the text field of one (with {\...} overrides, \N). */
enum mq_cue_kind { MQ_CUE_PLAIN, MQ_CUE_ASS_EVENT, MQ_CUE_ASS_TEXT };

/* Pieces for the cues of an embedded stream (media/probe.c): the header,
 * then one cue at a time. */
MQ_MUST_CHECK mq_err mq_vtt_begin(struct mq_buf *out);
MQ_MUST_CHECK mq_err mq_vtt_cue(struct mq_buf *out, int64_t start_ms, int64_t end_ms,
                                const char *text, size_t n, enum mq_cue_kind kind);

#endif
