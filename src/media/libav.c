#include "media/libav.h"

#include <string.h>

#include "core/dynlib.h"

#define SYM(name, field) MQ_DYNSYM(struct mq_libav, name, field)

static const struct mq_dynsym symbols[] = {
    SYM("av_log_set_level", log_set_level),
    SYM("avformat_alloc_context", format_alloc_context),
    SYM("avformat_open_input", format_open_input),
    SYM("avformat_find_stream_info", format_find_stream_info),
    SYM("avformat_close_input", format_close_input),
    SYM("avio_alloc_context", io_alloc_context),
    SYM("avio_context_free", io_context_free),
    SYM("av_malloc", malloc),
    SYM("av_freep", freep),
    SYM("av_dict_get", dict_get),
    SYM("avcodec_get_name", codec_get_name),
    SYM("avcodec_profile_name", codec_profile_name),
    SYM("av_pix_fmt_desc_get", pix_fmt_desc_get),
    SYM("av_channel_layout_describe", channel_layout_describe),
    SYM("av_stream_get_side_data", stream_get_side_data),
    SYM("av_read_frame", read_frame),
    SYM("av_packet_alloc", packet_alloc),
    SYM("av_packet_free", packet_free),
    SYM("av_packet_unref", packet_unref),
    SYM("avcodec_find_decoder", codec_find_decoder),
    SYM("avcodec_alloc_context3", codec_alloc_context3),
    SYM("avcodec_parameters_to_context", codec_parameters_to_context),
    SYM("avcodec_open2", codec_open2),
    SYM("avcodec_free_context", codec_free_context),
    SYM("avcodec_send_packet", codec_send_packet),
    SYM("avcodec_receive_frame", codec_receive_frame),
    SYM("av_frame_alloc", frame_alloc),
    SYM("av_frame_free", frame_free),
    SYM("av_frame_get_side_data", frame_get_side_data),
};

mq_err mq_libav_load(struct mq_libav *av, char *errbuf, size_t errlen)
{
    memset(av, 0, sizeof(*av));
    mq_err err =
        mq_dynlib_load(MQ_LIBAVFORMAT_SONAME, "libavformat59", symbols,
                       sizeof(symbols) / sizeof(symbols[0]), av, &av->handle, errbuf, errlen);
    if (!err) av->log_set_level(AV_LOG_QUIET);
    return err;
}
