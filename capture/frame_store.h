/*
 * frame_store.h — the frames that carried each message, kept so that the
 * UI can save calls as a capture (pipeline.h, "Frames for saving").
 *
 * One entry per message id, in order; its frames are views into bytes the
 * caller keeps (a mapped file, a source's arena).  This is the one
 * per-message cost of the UI beyond the model, so it is kept compact:
 * each frame in 24 bytes (a cap_frame is 64), its data pointer and number
 * as distances from the first frame of its page of 1,024, its link type
 * and input as one of eight the page tells apart; pages never move and
 * leave no more slack than one page (an array that doubles can hold
 * twice what it needs, and copies everything as it grows).  A frame the
 * compact form cannot hold (data more than 2 GB or numbers more than
 * 2^31 from its page's first frame, a ninth input in one page, a frame
 * of 64 KB or more or with more than 255 bytes not captured, a frame
 * number more than 2^32 past its record number) is kept whole on the
 * side.
 *
 * Owns: its pages and the frames kept whole, not the bytes.
 * Invariants: ids are added in ascending order; an id never added (or
 * skipped) has no frames.
 */
#ifndef SIPSCOPE_CAPTURE_FRAME_STORE_H
#define SIPSCOPE_CAPTURE_FRAME_STORE_H

#include <glib.h>
#include <stdint.h>

#include "capture/frame.h"

typedef struct frame_store frame_store;

frame_store *frame_store_new(void);
void frame_store_free(frame_store *fs);
/* The n frames of message id (id above every id added before). */
void frame_store_add(frame_store *fs, uint32_t id, const cap_frame *frames, guint n);
/* Appends the frames of message id to out (cap_frame), as they were added. */
void frame_store_get(const frame_store *fs, uint32_t id, GArray *out);
/* Frames kept, and bytes of memory held for them (pages and directories). */
uint64_t frame_store_frames(const frame_store *fs);
size_t frame_store_bytes(const frame_store *fs);

#endif
