// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Show output over many events (see amt_vty_slices.h).
 *
 * FRR 10.3's vty already knows a command whose answer comes later: a vtysh
 * command that waits for mgmtd sets vty->mgmt_req_pending_cmd, vtysh_read()
 * then neither writes the end marker nor reads the next command, and
 * vty_mgmt_resume_response() writes the marker and reads on.  A sliced
 * output uses the same two steps.  Between slices the output buffer is
 * written to vtysh's socket; while vtysh has not read it, no new slice is
 * printed, so amtd holds at most one slice more than the socket takes.
 *
 * vty_out() itself writes to vtysh's socket once buf_size_intermediate
 * bytes are buffered, and when that write fails it closes and frees the
 * vty: the rest of the slice would then print into freed memory.  So while
 * an output runs, vty_out() never writes (its threshold is out of reach)
 * and no vtysh write event is left to fire between slices: only
 * amt_output_next() writes, where a failure is seen and handled.
 */
#include <zebra.h>

#include "lib/buffer.h"
#include "lib/command.h"
#include "lib/frrevent.h"
#include "lib/typesafe.h"
#include "lib/vty.h"

#include "amt_memory.h"
#include "amt_vty_slices.h"
#include "amtd.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_VTY_SLICES, "AMT show output in progress");

/* What vty->mgmt_req_pending_cmd names while a sliced output runs. */
#define AMT_SLICES_PENDING "amtd sliced show output"
/* vtysh has not read the last slice yet: look again after this long. */
#define AMT_SLICES_WAIT_MS 10

PREDECL_DLIST(amt_slices);

struct amt_vty_output {
	struct amt_slices_item item;
	struct vty *vty;
	uint64_t flush_at; /* the vty's buf_size_intermediate, given back at the end */
	amt_vty_slice_fn print;
	void (*free_arg)(void *arg);
	void *arg;
	struct event *t_next;
};

DECLARE_DLIST(amt_slices, struct amt_vty_output, item);

static struct amt_slices_head amt_outputs = INIT_DLIST(amt_outputs);
static unsigned long amt_outputs_total;

static void amt_output_free(struct amt_vty_output *out)
{
	EVENT_OFF(out->t_next);
	amt_slices_del(&amt_outputs, out);
	if (out->free_arg)
		out->free_arg(out->arg);
	XFREE(MTYPE_AMT_VTY_SLICES, out);
}

/* From now on, only amtd writes this vty's output to its socket (above). */
static uint64_t amt_vty_hold_writes(struct vty *vty)
{
	uint64_t flush_at = vty->buf_size_intermediate;

	vty->buf_size_intermediate = UINT64_MAX;
	if (vty->type == VTY_SHELL_SERV)
		EVENT_OFF(vty->t_write);
	return flush_at;
}

static void amt_vty_release_writes(struct vty *vty, uint64_t flush_at)
{
	vty->buf_size_intermediate = flush_at;
	vty->vty_buf_size_accumulated = 0;
}

static void amt_output_next(struct event *event)
{
	struct amt_vty_output *out = EVENT_ARG(event);
	struct vty *vty = out->vty;

	switch (buffer_flush_available(vty->obuf, vty->wfd)) {
	case BUFFER_ERROR:
		/* vtysh went away: nobody reads the rest. */
		amt_output_free(out);
		buffer_reset(vty->obuf);
		vty->mgmt_req_pending_cmd = NULL;
		vty_close(vty);
		return;
	case BUFFER_PENDING:
		event_add_timer_msec(master, amt_output_next, out, AMT_SLICES_WAIT_MS, &out->t_next);
		return;
	case BUFFER_EMPTY:
		break;
	}
	if (!out->print(vty, out->arg)) {
		event_add_timer_msec(master, amt_output_next, out, 0, &out->t_next);
		return;
	}
	amt_vty_release_writes(vty, out->flush_at);
	amt_output_free(out);
	vty_mgmt_resume_response(vty, CMD_SUCCESS);
}

int amt_vty_sliced(struct vty *vty, amt_vty_slice_fn print, void (*free_arg)(void *arg), void *arg)
{
	struct amt_vty_output *out;
	uint64_t flush_at = amt_vty_hold_writes(vty);
	bool done = print(vty, arg);

	if (!done && (vty->type != VTY_SHELL_SERV || vty->mgmt_req_pending_cmd)) {
		/* No vtysh waiting for an end marker: the whole output now. */
		while (!done)
			done = print(vty, arg);
	}
	if (done) {
		amt_vty_release_writes(vty, flush_at);
		if (free_arg)
			free_arg(arg);
		return CMD_SUCCESS;
	}
	out = XCALLOC(MTYPE_AMT_VTY_SLICES, sizeof(*out));
	out->vty = vty;
	out->flush_at = flush_at;
	out->print = print;
	out->free_arg = free_arg;
	out->arg = arg;
	amt_slices_add_tail(&amt_outputs, out);
	amt_outputs_total++;
	vty->mgmt_req_pending_cmd = AMT_SLICES_PENDING;
	event_add_timer_msec(master, amt_output_next, out, 0, &out->t_next);
	return CMD_SUCCESS;
}

unsigned int amt_vty_slices_running(void)
{
	return amt_slices_count(&amt_outputs);
}

unsigned long amt_vty_slices_total(void)
{
	return amt_outputs_total;
}

void amt_vty_slices_terminate(void)
{
	struct amt_vty_output *out;

	while ((out = amt_slices_first(&amt_outputs))) {
		out->vty->mgmt_req_pending_cmd = NULL;
		amt_vty_release_writes(out->vty, out->flush_at);
		amt_output_free(out);
	}
}
