/*
 * frame.h — one captured record, as every source hands it on.
 *
 * A file's frames live as long as the source that produced it (a read-only
 * mapping of the file, or an arena chunk for streams): views into them may
 * be kept for the whole run.  A live frame lives only until the next frame
 * of its input is taken (capture/live.h); the pipeline copies, before
 * decoding, every live frame that the decoder says something may keep
 * (cap_decoder_classify), so that past it, every frame that reaches the
 * decoder, framer and model lives for the whole run.
 */
#ifndef SIPSCOPE_CAPTURE_FRAME_H
#define SIPSCOPE_CAPTURE_FRAME_H

#include <stdint.h>

#include "base/bytes.h"

/* LINKTYPE_* values of the pcap/pcapng file formats (not DLT_* numbers,
 * which differ for a few of them on some systems). */
enum {
	LINKTYPE_NULL = 0,
	LINKTYPE_ETHERNET = 1,
	LINKTYPE_RAW = 101,
	LINKTYPE_LOOP = 108,
	LINKTYPE_LINUX_SLL = 113,
	LINKTYPE_IPV4 = 228,
	LINKTYPE_IPV6 = 229,
	LINKTYPE_LINUX_SLL2 = 276,
};

typedef struct cap_frame {
	uint64_t num;      /* 1-based, in merged order (= record number for one file) */
	int64_t ts_ns;     /* nanoseconds since the epoch */
	uint32_t linktype; /* LINKTYPE_* of the interface the record came from */
	uint32_t caplen;   /* bytes captured == data.len */
	uint32_t wirelen;  /* bytes on the wire */
	uint32_t source;   /* index of the input (the n-th -r) */
	uint64_t record;   /* 1-based record number within its own input */
	sv data;
} cap_frame;

#endif
