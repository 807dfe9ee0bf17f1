/*
 * save.c — saving from the UI: the packets of calls (through the feed,
 * which has the frames) or their ladder as text (output/ladder_text.h,
 * byte for byte what --ladder prints).  Asks for a file name on the
 * prompt line, and before replacing an existing file.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/ladder_text.h"
#include "output/sink.h"
#include "output/textesc.h"
#include "ui/ladder_layout.h"
#include "ui/screen.h"
#include "ui/ui.h"

typedef struct save_job {
	GArray *calls;   /* sip_id */
	bool pcap;       /* else the ladder as text */
	bool by_host;
	char *path;
} save_job;

static void job_free(gpointer p)
{
	save_job *j = p;
	g_array_free(j->calls, TRUE);
	g_free(j->path);
	g_free(j);
}

static char *shown_name(const char *path)
{
	g_autoptr(GString) o = g_string_new(NULL);
	text_append_sv(o, sv_from_cstr(path));
	return g_string_free(g_steal_pointer(&o), FALSE);
}

static void write_pcap(ui *u, save_job *j)
{
	const ui_feed *f = ui_feed_of(u);
	g_autofree char *name = shown_name(j->path);
	if (!f->save_packets) {
		ui_error(u, "saving packets is not possible for this input");
		return;
	}
	g_autoptr(GArray) msgs = ladder_messages_of_calls(ui_model(u), (sip_id *)j->calls->data, j->calls->len);
	uint64_t written = 0;
	g_autoptr(GError) err = NULL;
	if (!f->save_packets(f->user, (sip_id *)msgs->data, msgs->len, j->path, &written, &err)) {
		ui_error(u, "%s", err ? err->message : "could not save");
		return;
	}
	ui_message(u, "saved %" G_GUINT64_FORMAT " packet%s of %u call%s to %s", written,
		   written == 1 ? "" : "s", j->calls->len, j->calls->len == 1 ? "" : "s", name);
}

static void write_ladder(ui *u, save_job *j)
{
	g_autofree char *name = shown_name(j->path);
	int fd = open(j->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ui_error(u, "%s: %s", name, g_strerror(errno));
		return;
	}
	const sip_model *m = ui_model(u);
	g_autoptr(GArray) msgs = ladder_messages_of_calls(m, (sip_id *)j->calls->data, j->calls->len);
	ladder_opts o = { .group_by_host = j->by_host };
	g_autoptr(ladder_layout) lay = ladder_layout_new(m, (sip_id *)msgs->data, msgs->len, &o);
	sink out;
	sink_init(&out, fd, j->path);
	/* With the findings marked and listed, as --ladder prints it. */
	ladder_text_write_findings(&out, m, lay, ui_feed_of(u)->found);
	bool ok = sink_flush(&out);
	g_autofree char *why = ok ? NULL : g_strdup(sink_error(&out));
	sink_finish(&out);
	if (close(fd) != 0 && ok) {
		ok = false;
		why = g_strdup_printf("%s: %s", name, g_strerror(errno));
	}
	if (!ok) {
		ui_error(u, "%s", why);
		return;
	}
	ui_message(u, "saved the ladder (%u message%s) to %s", lay->rows->len,
		   lay->rows->len == 1 ? "" : "s", name);
}

static void run_job(ui *u, save_job *j)
{
	if (j->pcap)
		write_pcap(u, j);
	else
		write_ladder(u, j);
}

static void confirm_done(ui *u, void *user, bool accepted, const char *text)
{
	save_job *j = user;
	if (accepted && (g_ascii_strcasecmp(text, "y") == 0 || g_ascii_strcasecmp(text, "yes") == 0))
		run_job(u, j);
	else
		ui_message(u, "not saved");
}

static void name_done(ui *u, void *user, bool accepted, const char *text)
{
	save_job *j = user;
	if (!accepted) {
		ui_message(u, "not saved");
		return;
	}
	g_autofree char *path = g_strstrip(g_strdup(text));
	if (!*path) {
		ui_error(u, "no file name: not saved");
		return;
	}
	g_free(j->path);
	j->path = g_steal_pointer(&path);
	struct stat sb;
	if (stat(j->path, &sb) == 0) {
		/* Hand the job on to the confirmation prompt. */
		save_job *k = g_new0(save_job, 1);
		k->calls = g_array_copy(j->calls);
		k->pcap = j->pcap;
		k->by_host = j->by_host;
		k->path = g_strdup(j->path);
		g_autofree char *name = shown_name(j->path);
		g_autofree char *label = g_strdup_printf("%s exists; replace it? (y/N) ", name);
		ui_prompt(u, label, "", NULL, confirm_done, k, job_free);
		return;
	}
	run_job(u, j);
}

static void ask(ui *u, const sip_id *calls, size_t n, bool pcap, bool by_host)
{
	save_job *j = g_new0(save_job, 1);
	j->calls = g_array_new(FALSE, FALSE, sizeof(sip_id));
	g_array_append_vals(j->calls, calls, (guint)n);
	j->pcap = pcap;
	j->by_host = by_host;
	const char *ext = pcap ? "pcap" : "txt";
	g_autofree char *def = n == 1 ? g_strdup_printf("sipscope-call-%u.%s", calls[0], ext)
				      : g_strdup_printf("sipscope-%zu-calls.%s", n, ext);
	ui_prompt(u, pcap ? "Save packets to: " : "Save ladder text to: ", def, NULL, name_done, j,
		  job_free);
}

void ui_save_packets_prompt(ui *u, const sip_id *calls, size_t n)
{
	if (n)
		ask(u, calls, n, true, false);
}

void ui_save_ladder_prompt(ui *u, const sip_id *calls, size_t n, bool by_host)
{
	if (n)
		ask(u, calls, n, false, by_host);
}
