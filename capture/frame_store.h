/*
 * frame_store.h — the frames that carried each message, kept so that the
 * UI can save calls as a capture (pipeline.h, "Frames for saving").
 *
 * One entry per message id, in order; its frames are views into bytes the
 * caller keeps (a mapped file, a source's arena).  This is the one
 * per-message cost of the UI beyond the model, so it is kept compact: a
 * message's entry is the index of its first frame (4 bytes; its last is
 * the next entry's first), and frames are coded in blocks of 32, each
 * field as the difference to the frame before in varints, 6 or 7 bytes
 * for a frame in capture order, a block's first one more than 20 (a
 * cap_frame is 64).  Any frame can be
 * coded: a rare field (wire length, record number of a merged input)
 * only costs its own bytes where it occurs.  Reading a message's frames
 * decodes from the start of its first frame's block.  Pages never move
 * and leave no more slack than one page of each kind.
 *
 * Owns: its pages, not the bytes.
 * Invariants: ids are added in ascending order; an id never added (or
 * skipped) has no frames.  At most 2^32 - 2 frames are kept, for ids
 * below 2^32 - 2: a message past either has none.
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
