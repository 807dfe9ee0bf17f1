#include "spill.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Where a record lies in the file, in 8 bytes: its offset (SPILL_OFF_BITS)
 * and length (the rest); 0: none.  A record too long for that (a call with
 * many thousands of transactions) has its length in spill.long_len. */
enum {
	SPILL_OFF_BITS = 40,
	SPILL_PAGE_SHIFT = 16,
	SPILL_PAGE = 1 << SPILL_PAGE_SHIFT,
	SPILL_RELEASE_READS = 1024,
};
#define SPILL_LEN_LONG ((UINT64_C(1) << (64 - SPILL_OFF_BITS)) - 1)

typedef struct spill_index {
	uint64_t **pages;
	guint n_pages;
} spill_index;

struct spill {
	FILE *file;
	sink out;                          /* on the file */
	spill_index at[SPILL__KINDS];      /* by id */
	GHashTable *long_len;              /* uint64 key (kind << 32 | id) -> length, for
	                                      SPILL_LEN_LONG */
	uint64_t start;                    /* where the record being written starts */
	/* Records are read back from a mapping of the file (one system call
	 * each would cost more than the copy), made once the writing is done
	 * and made again should a record lie beyond it.  Its pages are let go
	 * every SPILL_RELEASE_READS records, so that what the reads touched
	 * does not stay resident for the rest of the output. */
	const uint8_t *map;
	uint64_t map_len;
	unsigned reads;
	uint64_t touched_lo, touched_hi;   /* the range read since the last release */
	char *what;                        /* the output, for error lines */
	char *error;                       /* the first failure, once */
};

spill *spill_new(const char *what)
{
	FILE *f = tmpfile();
	if (!f)
		return NULL;
	spill *sp = g_new0(spill, 1);
	sp->file = f;
	sink_init(&sp->out, fileno(f), "temporary file");
	sp->long_len = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	sp->what = g_strdup(what);
	return sp;
}

void spill_free(spill *sp)
{
	if (!sp)
		return;
	if (sp->map)
		munmap((void *)sp->map, sp->map_len);
	sink_finish(&sp->out);
	fclose(sp->file);
	for (int k = 0; k < SPILL__KINDS; k++) {
		for (guint i = 0; i < sp->at[k].n_pages; i++)
			g_free(sp->at[k].pages[i]);
		g_free(sp->at[k].pages);
	}
	g_hash_table_destroy(sp->long_len);
	g_free(sp->what);
	g_free(sp->error);
	g_free(sp);
}

static void fail(spill *sp, const char *why)
{
	if (!sp->error)
		sp->error = g_strdup_printf("%s: %s", sp->what, why);
}

sink *spill_sink(spill *sp)
{
	return &sp->out;
}

/* Bytes the file would hold if everything appended went out now (what
 * the sink wrote left its buffer). */
static uint64_t spill_pos(const spill *sp)
{
	return sp->out.written + sp->out.buf->len;
}

void spill_begin(spill *sp)
{
	sp->start = spill_pos(sp);
}

static uint64_t long_key(spill_kind kind, sip_id id)
{
	return (uint64_t)kind << 32 | id;
}

void spill_end(spill *sp, spill_kind kind, sip_id id)
{
	uint64_t len = spill_pos(sp) - sp->start;
	sink_end_record(&sp->out);
	if (len == 0)
		return;
	if (sp->start >> SPILL_OFF_BITS) {
		fail(sp, "the temporary file grew too large");
		return;
	}
	spill_index *ix = &sp->at[kind];
	guint page = id >> SPILL_PAGE_SHIFT;
	if (page >= ix->n_pages) {
		ix->pages = g_renew(uint64_t *, ix->pages, page + 1);
		memset(ix->pages + ix->n_pages, 0, (page + 1 - ix->n_pages) * sizeof(uint64_t *));
		ix->n_pages = page + 1;
	}
	if (!ix->pages[page])
		ix->pages[page] = g_new0(uint64_t, SPILL_PAGE);
	uint64_t field = len;
	if (len >= SPILL_LEN_LONG) {
		field = SPILL_LEN_LONG;
		uint64_t *k = g_new(uint64_t, 1), *v = g_new(uint64_t, 1);
		*k = long_key(kind, id);
		*v = len;
		g_hash_table_replace(sp->long_len, k, v);
	}
	ix->pages[page][id & (SPILL_PAGE - 1)] = field << SPILL_OFF_BITS | sp->start;
}

static uint64_t slot(const spill *sp, spill_kind kind, sip_id id)
{
	const spill_index *ix = &sp->at[kind];
	guint page = id >> SPILL_PAGE_SHIFT;
	if (page >= ix->n_pages || !ix->pages[page])
		return 0;
	return ix->pages[page][id & (SPILL_PAGE - 1)];
}

bool spill_has(const spill *sp, spill_kind kind, sip_id id)
{
	return slot(sp, kind, id) != 0;
}

/* The pages read lately go (the file keeps them: a later read maps them
 * again). */
static void spill_release(spill *sp)
{
	sp->reads = 0;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)(sp->map + sp->touched_lo) & ~(page - 1);
	uintptr_t hi = (uintptr_t)(sp->map + sp->touched_hi);
	madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Maps everything written so far, which must reach need bytes. */
static bool spill_map(spill *sp, uint64_t need)
{
	/* what is still in the sink's buffer must reach the file first */
	if (need > sp->out.written && !spill_flush(sp))
		return false;
	if (sp->map) {
		munmap((void *)sp->map, sp->map_len);
		sp->map = NULL;
		sp->map_len = 0;
		sp->reads = 0;
	}
	uint64_t size = sp->out.written;
	void *p = size > SIZE_MAX || need > size ? MAP_FAILED :
		mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, sp->out.fd, 0);
	if (p == MAP_FAILED) {
		g_autofree char *why = g_strdup_printf("cannot read back the temporary file: %s",
			need > size ? "short file" : g_strerror(errno));
		fail(sp, why);
		return false;
	}
	sp->map = p;
	sp->map_len = size;
	return true;
}

bool spill_read(spill *sp, spill_kind kind, sip_id id, GString *out)
{
	uint64_t at = slot(sp, kind, id);
	if (at == 0 || sp->error)
		return false;
	uint64_t off = at & ((UINT64_C(1) << SPILL_OFF_BITS) - 1);
	uint64_t len = at >> SPILL_OFF_BITS;
	if (len == SPILL_LEN_LONG) {
		uint64_t key = long_key(kind, id);
		len = *(const uint64_t *)g_hash_table_lookup(sp->long_len, &key);
	}
	if (off + len > sp->map_len && !spill_map(sp, off + len))
		return false;
	g_string_append_len(out, (const char *)sp->map + off, (gssize)len);
	if (sp->reads == 0 || off < sp->touched_lo)
		sp->touched_lo = off;
	if (sp->reads == 0 || off + len > sp->touched_hi)
		sp->touched_hi = off + len;
	if (++sp->reads == SPILL_RELEASE_READS)
		spill_release(sp);
	return true;
}

bool spill_flush(spill *sp)
{
	if (sink_flush(&sp->out))
		return true;
	g_autofree char *why = g_strdup(sink_error(&sp->out));
	fail(sp, why);
	return false;
}

const char *spill_error(const spill *sp)
{
	return sp->error;
}
