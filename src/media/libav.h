/* libav.h - FFmpeg's libraries, loaded at run time by the probe helper.
 *
 * Only the probe helper process (probe.h) ever loads them: the server
 * neither links nor loads libav*, so their code, their memory and any
 * crash a crafted file causes in a demuxer stay in a process the server can
 * kill and restart. Types and constants come from the headers; functions
 * through this table (core/dynlib.h). */
#ifndef MQ_MEDIA_LIBAV_H
#define MQ_MEDIA_LIBAV_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>

#include "core/err.h"

#define MQ_LIBAVFORMAT_SONAME "libavformat.so.59"

struct mq_libav {
    void *handle;
    void (*log_set_level)(int level);
    AVFormatContext *(*format_alloc_context)(void);
    int (*format_open_input)(AVFormatContext **ps, const char *url, const AVInputFormat *fmt,
                             AVDictionary **options);
    int (*format_find_stream_info)(AVFormatContext *ic, AVDictionary **options);
    void (*format_close_input)(AVFormatContext **s);
    AVIOContext *(*io_alloc_context)(unsigned char *buffer, int buffer_size, int write_flag,
                                     void *opaque,
                                     int (*read_packet)(void *opaque, uint8_t *buf, int buf_size),
                                     int (*write_packet)(void *opaque, uint8_t *buf, int buf_size),
                                     int64_t (*seek)(void *opaque, int64_t offset, int whence));
    void (*io_context_free)(AVIOContext **s);
    void *(*malloc)(size_t size);
    void (*freep)(void *ptr);
    AVDictionaryEntry *(*dict_get)(const AVDictionary *m, const char *key,
                                   const AVDictionaryEntry *prev, int flags);
    const char *(*codec_get_name)(enum AVCodecID id);
    const char *(*codec_profile_name)(enum AVCodecID codec_id, int profile);
    const AVPixFmtDescriptor *(*pix_fmt_desc_get)(enum AVPixelFormat pix_fmt);
    int (*channel_layout_describe)(const AVChannelLayout *layout, char *buf, size_t buf_size);
    uint8_t *(*stream_get_side_data)(const AVStream *stream, enum AVPacketSideDataType type,
                                     size_t *size);
    int (*read_frame)(AVFormatContext *s, AVPacket *pkt);
    AVPacket *(*packet_alloc)(void);
    void (*packet_free)(AVPacket **pkt);
    void (*packet_unref)(AVPacket *pkt);
    const AVCodec *(*codec_find_decoder)(enum AVCodecID id);
    AVCodecContext *(*codec_alloc_context3)(const AVCodec *codec);
    int (*codec_parameters_to_context)(AVCodecContext *codec, const AVCodecParameters *par);
    int (*codec_open2)(AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options);
    void (*codec_free_context)(AVCodecContext **avctx);
    int (*codec_send_packet)(AVCodecContext *avctx, const AVPacket *avpkt);
    int (*codec_receive_frame)(AVCodecContext *avctx, AVFrame *frame);
    AVFrame *(*frame_alloc)(void);
    void (*frame_free)(AVFrame **frame);
    AVFrameSideData *(*frame_get_side_data)(const AVFrame *frame, enum AVFrameSideDataType type);
};

/* Loads libavformat (and through it libavcodec and libavutil) and resolves
 * every function above. MQ_EUNSUPPORTED with a message in errbuf when it
 * cannot. */
MQ_MUST_CHECK mq_err mq_libav_load(struct mq_libav *av, char *errbuf, size_t errlen);

#endif
