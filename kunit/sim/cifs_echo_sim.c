// SPDX-License-Identifier: LGPL-2.1
/*
 * cifs-echofix's simulator of the echo schedule: a KUnit suite of this
 * project only, never sent upstream (kunit/run copies it into the tree
 * beside the series' own cifs_echo_test.c).
 *
 * A small discrete-event simulation plays timelines on simulated jiffies
 * through the real helpers of cifs_echo.h. It models only what is outside
 * them, and mirrors the code of connect.c that calls them (the functions
 * named after theirs below), on a real struct TCP_Server_Info:
 *
 * - the timer wheel: a delayed work or a socket wait armed for a delay
 *   fires on the next multiple of its level's granularity, 8^n jiffies
 *   (kernel/time/timer.c), modelled at HZ 100, 250 and 1000; plus
 *   workqueue latency for the echo work;
 * - the echo work, cifs_echo_request(): cifs_echo_needed() on lstrp_other,
 *   the deadline and in_send, SMB2's one echo credit (SMB2_echo() returns
 *   -EAGAIN while the last echo is unanswered), cifs_echo_next() and
 *   re-queueing for what is left until that deadline;
 * - the receive path, cifsd: before every read server_unresponsive() looks
 *   at the right edge of the server's receive window at most every
 *   cifs_recv_timeout() (cifs_tx_progress()) and asks cifs_server_silent()
 *   about cifs_server_heard(lstrp, lprogress); the socket wait lasts
 *   cifs_recv_timeout(); every read that returns data sets lprogress; a
 *   whole PDU sets lstrp, and lstrp_other unless it is an echo's reply;
 * - the server and the network, in one of two models: requests answered
 *   after a random round trip, each in one piece (idle and lightly used
 *   mounts); or byte streams, our requests going out in order over an
 *   uplink of a given rate into the server's TCP receive buffer, which its
 *   smbd reads as bytes arrive unless it is stopped, and its responses
 *   coming back in order over a downlink of a given rate, read in pieces.
 *   The right edge of the window the server advertises is what it has read
 *   plus its receive buffer: it moves only when the server reads.
 *
 * kunit/mutants puts connect.c's defects back in connect.c and in these
 * mirrors, by their text: a change of that code in the series is to be
 * made here too, or the mutant script says its code is gone.
 *
 * Every case runs from INITIAL_JIFFIES, from 10 s before jiffies wraps and
 * from an arbitrary value. Simulated spans stay below LONG_MAX / 4
 * jiffies (the long case runs in segments), so that wrap-safe comparisons
 * hold on 32-bit.
 */

#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/prandom.h>
#include "cifs_echo.h"

#define MS(ms)		msecs_to_jiffies(ms)
#define SECS(s)		((unsigned long)(s) * HZ)
#define MAX_INFLIGHT	256
#define SIM_QUEUE	512		/* requests or responses on a stream */
#define SIM_CHUNK	65536		/* what a read returns of a streamed PDU */
#define SIM_ECHO_BYTES	72		/* an SMB2 ECHO on the wire, either way */
#define MIB		(1024 * 1024)
/* The longest span sim_run() plays at once: wrap-safe on 32-bit too */
#define SIM_SPAN_MAX	((unsigned long)(LONG_MAX / 4))
/*
 * The limit the cases expect: three echo intervals of silence, as the
 * stock client and the series state it. Written out rather than taken from
 * SMB_ECHO_TIMEOUT_INTERVALS, so that a change of the threshold fails.
 */
#define SIM_LIMIT_INTERVALS	3
/* A bound on the events of one sim_run(): a stuck timeline fails */
#define SIM_EVENTS_MAX	(1UL << 28)

/* Where simulated time starts */
static const unsigned long test_epochs[] = {
	INITIAL_JIFFIES,
	ULONG_MAX - 10 * HZ,	/* jiffies wraps 10 s into the run */
	0x12345678UL,
};

static void epoch_desc(const unsigned long *epoch, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "start=%#lx", *epoch);
}

KUNIT_ARRAY_PARAM(epoch, test_epochs, epoch_desc);

/* A request of the random round-trip model, and its response */
struct sim_pdu {
	unsigned long at;	/* the response arrives */
	u32 bytes;
	bool echo;
};

/* A request on the uplink (stream model) */
struct sim_req {
	u32 end;		/* where its bytes end in our stream */
	u32 resp;		/* size of the response */
	bool echo;
};

/* A response on the downlink (stream model) */
struct sim_resp {
	unsigned long ready;	/* when the server has it ready to send */
	u32 left;		/* bytes not yet arrived */
	bool echo;
};

struct echo_sim {
	struct kunit *test;
	struct TCP_Server_Info *server;
	struct rnd_state rnd;

	/* timeline */
	unsigned int hz_model;		/* HZ of the modelled timer wheel */
	unsigned long wheel_base;	/* where the modelled wheel counts from */
	unsigned long work_jitter;	/* workqueue latency, uniform 0..n */
	unsigned long rtt_min, rtt_max;	/* round trip, uniform */
	bool traffic;			/* bursts and silences of requests */
	unsigned int silence_max;	/* of a silence, in intervals (5) */
	unsigned int burst_max;		/* of a burst, in intervals (2) */
	unsigned int sat_window;	/* saturating bursts: requests kept out */
	unsigned int sat_out;
	unsigned long dies_at;		/* the link goes dead (if dies) */
	bool dies;
	/* when the echo work's run number @run really fires (replays) */
	unsigned long (*work_fire)(struct echo_sim *s, unsigned int run,
				   unsigned long fire);

	/* the byte-stream model */
	bool stream;
	u32 up_rate, down_rate;		/* bytes per second (0: at once) */
	u32 rcvbuf;			/* the server's TCP receive buffer */
	u32 sndbuf;			/* our socket's send buffer */
	unsigned long proc;		/* the server's time to answer */
	unsigned long stops_at;		/* smbd stops reading; its TCP goes on */
	bool stops, stopped;
	bool keep_going;		/* reconnect and resend, not stop */
	u32 wseq;			/* end of what we wrote (write_seq) */
	u32 una;			/* acknowledged (snd_una) at up_t */
	u32 sread;			/* what the server has read */
	unsigned long up_t;
	struct sim_req up[SIM_QUEUE];
	unsigned int up_head, up_n;
	struct sim_resp down[SIM_QUEUE];
	unsigned int down_head, down_n;
	unsigned long down_t;		/* the downlink is busy until then */
	/* the application's transfer: requests of req bytes, resp back */
	unsigned int xfer_left, xfer_inflight, xfer_credits, xfer_done;
	u32 xfer_req, xfer_resp;
	unsigned long xfer_end;
	bool xfer_ended;
	unsigned long drip_every;	/* the application's small writes */
	u32 drip_bytes;

	/* state */
	unsigned long start, now;
	unsigned long work_at;		/* next run of the echo work */
	unsigned int work_runs;
	unsigned long recv_wake;	/* the receive path's wait ends */
	unsigned long app_at;		/* next application request */
	unsigned long burst_start, burst_end;
	struct sim_pdu inflight[MAX_INFLIGHT];
	unsigned int ninflight;
	bool echo_busy;			/* the echo credit is out */
	unsigned long events;

	/* results */
	unsigned int echoes, echoes_busy, echoes_skipped, skipped_sending;
	unsigned long last_deadline;	/* of the echo work's last run */
	unsigned long last_echo;
	unsigned long *echo_log;	/* send times, if wanted */
	unsigned int echo_log_len;
	unsigned long *run_log;		/* the echo work's runs, if wanted */
	unsigned int run_log_len;
	unsigned long max_echo_gap, min_echo_gap;
	unsigned int replies;
	unsigned long max_reply_gap;
	unsigned long look_before_stop;	/* the last look before smbd stopped */
	bool reconnected;
	unsigned int reconnects;
	unsigned long reconnect_at, reconnect_lstrp, reconnect_heard;
	unsigned long window_full;	/* a stopped smbd's window closed */
};

static u32 sim_rand(struct echo_sim *s, u32 n)
{
	return n ? prandom_u32_state(&s->rnd) % n : 0;
}

static unsigned long sim_uniform(struct echo_sim *s, unsigned long lo,
				 unsigned long hi)
{
	return lo + sim_rand(s, hi - lo + 1);
}

/*
 * The timer wheel (kernel/time/timer.c) files a timer @delta jiffies away in
 * the first level whose range holds it (level n ends at 63 << 3n) and fires
 * it on the next multiple of that level's granularity, 8^n jiffies, after
 * its expiry (calc_index() rounds up by one granule, at level 0 too). That
 * is the slack of a delayed work: up to 2.048 s for a minute at HZ=250.
 * The measured stock cadences (1.024 E at E=1 s and 5 s, 1.008 E at 2 s)
 * come out of this model exactly (sim_wheel_model).
 */
static unsigned int wheel_shift(u64 delta)
{
	unsigned int shift = 0;

	while (shift < 24 && delta >= (63ULL << shift))
		shift += 3;
	return shift;
}

static u64 wheel_fire(u64 expires, u64 delta)
{
	unsigned int shift = wheel_shift(delta);

	return ((expires >> shift) + 1) << shift;
}

/* The most a timer armed for @delay can fire late at s->hz_model, in jiffies */
static unsigned long sim_wheel_slack(struct echo_sim *s, unsigned long delay)
{
	u64 dm = div_u64((u64)delay * s->hz_model, HZ);
	u64 gran = 1ULL << wheel_shift(dm);

	return (unsigned long)div_u64(gran * HZ + s->hz_model - 1, s->hz_model);
}

/*
 * When a timer armed at @now for @delay jiffies fires. An expiry already
 * past (a delay that is negative as a long) fires on the next tick, as
 * __queue_delayed_work() and the wheel do with it.
 */
static unsigned long sim_timer(struct echo_sim *s, unsigned long now,
			       unsigned long delay)
{
	u64 rel, em, dm, fm, fire;

	if ((long)delay < 0)
		return now + 1;
	rel = (u64)(now - s->wheel_base) + delay;
	em = div_u64(rel * s->hz_model, HZ);
	dm = div_u64((u64)delay * s->hz_model, HZ);
	fm = wheel_fire(em, dm);
	fire = div_u64(fm * HZ + s->hz_model - 1, s->hz_model);
	if (fire < rel)
		fire = rel;
	return s->wheel_base + (unsigned long)fire;
}

static struct echo_sim *sim_new(struct kunit *test, unsigned long start,
				unsigned int interval_s, u64 seed)
{
	struct echo_sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct TCP_Server_Info *server;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	server = kunit_kzalloc(test, sizeof(*server), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, server);
	s->server = server;
	prandom_seed_state(&s->rnd, seed);
	s->hz_model = HZ;
	s->wheel_base = start;
	s->rtt_min = MS(1);
	s->rtt_max = MS(20);
	s->rcvbuf = 4 * MIB;
	s->sndbuf = 4 * MIB;
	s->start = start;
	s->now = start;
	s->up_t = start;
	s->down_t = start;
	s->min_echo_gap = ULONG_MAX;

	/* as cifs_get_tcp_session() leaves it, once negotiated */
	server->tcpStatus = CifsGood;
	server->echo_interval = SECS(interval_s);
	server->lstrp = start;
	server->lstrp_other = server->lstrp;
	server->lprogress = server->lstrp;
	server->tx_look = server->lstrp;
	server->echo_deadline = start + server->echo_interval;
	s->work_at = sim_timer(s, start, server->echo_interval);
	s->recv_wake = start;	/* the receive path looks at once */
	s->app_at = start;
	s->burst_start = start;	/* no burst yet */
	s->burst_end = start;
	return s;
}

/*
 * The byte-stream model, with its links as fluids: between two events, our
 * bytes are acknowledged at up_rate (at once if 0), up to what we wrote,
 * to the end of the request in front (an event: the server has all of it
 * and answers it), and, once smbd has stopped, to what its receive buffer
 * holds. Until it stops, smbd reads what arrives at once.
 */
static u32 sim_up_limit(struct echo_sim *s)
{
	u32 limit = s->wseq;

	if (s->stopped) {
		if ((s32)(s->sread + s->rcvbuf - limit) < 0)
			limit = s->sread + s->rcvbuf;
	} else if (s->up_n && (s32)(s->up[s->up_head].end - limit) < 0) {
		limit = s->up[s->up_head].end;
	}
	return limit;
}

/* snd_una at @t (no event in between) */
static u32 sim_una(struct echo_sim *s, unsigned long t)
{
	u32 limit = sim_up_limit(s);
	u64 flow;

	if (!s->up_rate)
		return limit;
	flow = div_u64((u64)(t - s->up_t) * s->up_rate, HZ);
	if (flow >= (u32)(limit - s->una))
		return limit;
	return s->una + (u32)flow;
}

/* Bring the uplink to s->now */
static void sim_up_settle(struct echo_sim *s)
{
	s->una = sim_una(s, s->now);
	s->up_t = s->now;
	if (!s->stopped)
		s->sread = s->una;
}

/* When the uplink reaches its next boundary, or MAX_JIFFY_OFFSET */
static unsigned long sim_up_event(struct echo_sim *s)
{
	u32 left = sim_up_limit(s) - s->una;

	/* a boundary reached (by another event) but not acted on yet */
	if (s->stopped ? !s->window_full && s->una == s->sread + s->rcvbuf :
	    s->up_n && s->una == s->up[s->up_head].end)
		return s->now;
	if (!left)
		return s->now + MAX_JIFFY_OFFSET;
	if (!s->up_rate)
		return s->up_t;
	return s->up_t + (unsigned long)div_u64((u64)left * HZ +
						 s->up_rate - 1, s->up_rate);
}

static void sim_queue_resp(struct echo_sim *s, unsigned long ready, u32 bytes,
			   bool echo)
{
	struct sim_resp *r;

	KUNIT_ASSERT_LT(s->test, s->down_n, SIM_QUEUE);
	r = &s->down[(s->down_head + s->down_n++) % SIM_QUEUE];
	r->ready = ready;
	r->left = bytes;
	r->echo = echo;
}

/* The uplink reached a boundary at s->now */
static void sim_up_reached(struct echo_sim *s)
{
	sim_up_settle(s);
	while (!s->stopped && s->up_n && s->una == s->up[s->up_head].end) {
		struct sim_req *q = &s->up[s->up_head];

		/* smbd has the whole request: it answers */
		sim_queue_resp(s, s->now + s->proc, q->resp, q->echo);
		s->up_head = (s->up_head + 1) % SIM_QUEUE;
		s->up_n--;
	}
	if (s->stopped && !s->window_full && s->una == s->sread + s->rcvbuf)
		s->window_full = s->now;
}

/* We write a request of @bytes to the socket */
static void sim_send(struct echo_sim *s, u32 bytes, u32 resp, bool echo)
{
	struct sim_req *q;

	sim_up_settle(s);
	KUNIT_ASSERT_LT(s->test, s->up_n, SIM_QUEUE);
	s->wseq += bytes;
	q = &s->up[(s->up_head + s->up_n++) % SIM_QUEUE];
	q->end = s->wseq;
	q->resp = resp;
	q->echo = echo;
}

/* When the next bytes of the front response arrive, or MAX_JIFFY_OFFSET */
static unsigned long sim_down_event(struct echo_sim *s)
{
	struct sim_resp *r = &s->down[s->down_head];
	unsigned long t;

	if (!s->down_n)
		return s->now + MAX_JIFFY_OFFSET;
	if (s->stops && !time_before(r->ready, s->stops_at))
		return s->now + MAX_JIFFY_OFFSET;	/* smbd never sends it */
	t = time_after(r->ready, s->down_t) ? r->ready : s->down_t;
	if (s->down_rate)
		t += (unsigned long)div_u64((u64)min_t(u32, r->left, SIM_CHUNK) *
					    HZ + s->down_rate - 1,
					    s->down_rate);
	return t;
}

/*
 * in_send: a request is being written to the socket, the sender blocked
 * because what is not acknowledged fills our send buffer.
 */
static bool sim_in_send(struct echo_sim *s)
{
	return s->stream && (u32)(s->wseq - sim_una(s, s->now)) > s->sndbuf;
}

/*
 * The right edge of the server's receive window as cifsd reads it with
 * tcp_get_info() (tcpi_bytes_acked + tcpi_snd_wnd): what the server has
 * read plus its receive buffer. On a stream it moves as the server reads
 * (the acknowledgments that carry it are taken to arrive at once: the
 * links are slow, their delay is not); in the round-trip model, a small
 * request read by the server opens too little window for a window update
 * of its own, and the edge comes back with the response (sim_run).
 */
static u32 sim_edge(struct echo_sim *s)
{
	u32 read;

	if (s->stream)
		read = s->stopped ? s->sread : sim_una(s, s->now);
	else
		read = s->sread;
	return read + s->rcvbuf;
}

/* What the server's TCP has acknowledged (tcpi_bytes_acked) */
static u32 sim_acked(struct echo_sim *s)
{
	return s->stream ? sim_una(s, s->now) : s->sread;
}

/* A 32-bit sequence as the 64-bit count tcp_info gives, from the last one */
static u64 sim_unwrap(u64 last, u32 now)
{
	return last + (u32)(now - (u32)last);
}

static void sim_expect(struct echo_sim *s, bool echo, unsigned long rtt)
{
	struct sim_pdu *p;
	u32 bytes = echo ? SIM_ECHO_BYTES : 128;

	if (s->stream) {
		sim_send(s, bytes, bytes, echo);
		return;
	}
	s->wseq += bytes;
	s->una = s->wseq;
	/* a server that dies before it answers: nothing comes back */
	if (s->dies && !time_before(s->now + rtt, s->dies_at))
		return;
	KUNIT_ASSERT_LT(s->test, s->ninflight, MAX_INFLIGHT);
	p = &s->inflight[s->ninflight++];
	p->at = s->now + rtt;
	p->bytes = bytes;
	p->echo = echo;
}

/* The application's transfer: keep its credits' worth of requests out */
static void sim_xfer_issue(struct echo_sim *s)
{
	while (s->xfer_left && s->xfer_inflight < s->xfer_credits) {
		sim_send(s, s->xfer_req, s->xfer_resp, false);
		s->xfer_left--;
		s->xfer_inflight++;
	}
}

static void sim_start_xfer(struct echo_sim *s, unsigned int n, u32 req,
			   u32 resp, unsigned int credits)
{
	s->xfer_left = n;
	s->xfer_req = req;
	s->xfer_resp = resp;
	s->xfer_credits = credits;
	sim_xfer_issue(s);
}

/*
 * cifs_reconnect(), for keep_going runs: the connection is torn down (all
 * bytes in flight are lost), made again at once on a new socket, and the
 * requests that were not answered are sent again from their start.
 */
static void sim_reconnect(struct echo_sim *s)
{
	struct TCP_Server_Info *server = s->server;

	s->reconnects++;
	s->up_n = 0;
	s->down_n = 0;
	s->ninflight = 0;
	s->echo_busy = false;
	s->una = s->wseq;
	s->sread = s->wseq;
	s->up_t = s->now;
	s->down_t = s->now;
	server->lstrp = s->now;
	s->xfer_left += s->xfer_inflight;
	s->xfer_inflight = 0;
	sim_xfer_issue(s);
}

/* cifs_look_at_tx() */
static void sim_look_at_tx(struct echo_sim *s)
{
	struct TCP_Server_Info *server = s->server;
	unsigned long now = s->now;
	u64 edge, acked;

	if (time_before(now, server->tx_look +
			cifs_recv_timeout(server->echo_interval)))
		return;
	edge = sim_unwrap(server->tx_edge, sim_edge(s));
	acked = sim_unwrap(server->tx_acked, sim_acked(s));
	/* tcpi_unacked || tcpi_notsent_bytes: bytes of ours not yet taken in */
	server->lprogress =
		   cifs_tx_progress(edge, server->tx_edge, acked, server->tx_acked,
				    s->wseq != sim_acked(s),
				    server->tx_look, server->lprogress);
	server->tx_edge = edge;
	server->tx_acked = acked;
	server->tx_look = now;
	if (s->stops && time_before(now, s->stops_at))
		s->look_before_stop = now;
}

/* server_unresponsive(): true if the simulation ends with it */
static bool sim_unresponsive(struct echo_sim *s)
{
	struct TCP_Server_Info *server = s->server;

	sim_look_at_tx(s);
	if (!cifs_server_silent(cifs_server_heard(server->lstrp,
						  server->lprogress),
				server->echo_interval, s->now))
		return false;
	if (!s->reconnected) {
		s->reconnected = true;
		s->reconnect_at = s->now;
		s->reconnect_lstrp = server->lstrp;
		s->reconnect_heard = cifs_server_heard(server->lstrp,
						       server->lprogress);
	}
	if (!s->keep_going)
		return true;
	sim_reconnect(s);
	return false;
}

/* cifsd before a socket read: judge, then wait cifs_recv_timeout() at most */
static bool sim_recv(struct echo_sim *s)
{
	if (sim_unresponsive(s))
		return true;
	s->recv_wake = sim_timer(s, s->now,
				 cifs_recv_timeout(s->server->echo_interval));
	return false;
}

/* Whether the application is in a burst of requests */
static bool sim_in_burst(struct echo_sim *s)
{
	return !time_before(s->now, s->burst_start) &&
	       time_before(s->now, s->burst_end);
}

/* A whole response has been read: lstrp, and whoever waited for it */
static void sim_response(struct echo_sim *s, bool echo)
{
	struct TCP_Server_Info *server = s->server;

	s->max_reply_gap = max(s->max_reply_gap, s->now - server->lstrp);
	/* cifs_demultiplex_thread() */
	server->lstrp = s->now;
	if (!echo)
		server->lstrp_other = server->lstrp;
	s->replies++;
	if (echo) {
		s->echo_busy = false;
	} else if (s->sat_out) {
		/* a saturating burst sends the next request at once */
		s->sat_out--;
		if (sim_in_burst(s)) {
			sim_expect(s, false,
				   sim_uniform(s, s->rtt_min, s->rtt_max));
			s->sat_out++;
		}
	} else if (s->xfer_inflight) {
		s->xfer_inflight--;
		s->xfer_done++;
		sim_xfer_issue(s);
		if (!s->xfer_left && !s->xfer_inflight) {
			s->xfer_end = s->now;
			s->xfer_ended = true;
		}
	}
}

/*
 * A read returned bytes of a response (cifs_readv_from_socket() sets
 * lprogress); the end of the PDU is a response (the demultiplex thread
 * sets lstrp); then the loop judges before it reads on, and waits.
 */
static bool sim_read(struct echo_sim *s, bool pdu_end, bool echo)
{
	s->server->lprogress = s->now;
	if (pdu_end)
		sim_response(s, echo);
	return sim_recv(s);
}

/* Bytes of the front response arrived (stream model) */
static bool sim_down_arrival(struct echo_sim *s)
{
	struct sim_resp *r = &s->down[s->down_head];
	u32 n = s->down_rate ? min_t(u32, r->left, SIM_CHUNK) : r->left;
	bool echo = r->echo;

	s->down_t = s->now;
	r->left -= n;
	if (r->left)
		return sim_read(s, false, echo);
	s->down_head = (s->down_head + 1) % SIM_QUEUE;
	s->down_n--;
	return sim_read(s, true, echo);
}

/* SMB2_echo(): one echo credit, -EAGAIN while it is out */
static void sim_echo(struct echo_sim *s)
{
	unsigned long now = s->now;

	if (s->echo_busy) {
		s->echoes_busy++;
		return;
	}
	if (s->echoes) {
		s->max_echo_gap = max(s->max_echo_gap, now - s->last_echo);
		s->min_echo_gap = min(s->min_echo_gap, now - s->last_echo);
	}
	if (s->echo_log && s->echoes < s->echo_log_len)
		s->echo_log[s->echoes] = now;
	s->echoes++;
	s->last_echo = now;
	s->echo_busy = true;
	sim_expect(s, true, sim_uniform(s, s->rtt_min, s->rtt_max));
}

/* queue_delayed_work(cifsiod_wq, &server->echo, delay) */
static void sim_queue_echo(struct echo_sim *s, unsigned long now,
			   unsigned long delay)
{
	unsigned long fire = delay ? sim_timer(s, now, delay) : now;

	s->work_runs++;
	if (s->work_fire)
		fire = s->work_fire(s, s->work_runs, fire);
	else
		fire += sim_uniform(s, 0, s->work_jitter);
	s->work_at = fire;
}

/* cifs_echo_request() with cifs_echo_skip() */
static void sim_echo_request(struct echo_sim *s)
{
	struct TCP_Server_Info *server = s->server;
	unsigned long deadline = server->echo_deadline;
	unsigned long now = s->now;
	bool sending = sim_in_send(s);

	if (s->run_log && s->work_runs < s->run_log_len)
		s->run_log[s->work_runs] = now;
	if (!cifs_echo_needed(server->lstrp_other,
			      server->echo_deadline, server->echo_interval,
			      sending)) {
		s->echoes_skipped++;
		if (sending)
			s->skipped_sending++;
		goto requeue_echo;
	}
	sim_echo(s);

requeue_echo:
	now = s->now;
	server->echo_deadline = cifs_echo_next(deadline, server->echo_interval,
					       now);
	s->last_deadline = deadline;
	sim_queue_echo(s, now, server->echo_deadline - now);
}

/* Application traffic: bursts of requests, then silences */
static void sim_app(struct echo_sim *s)
{
	unsigned long e = s->server->echo_interval;

	if (s->drip_every) {
		/* a small write now and then, answered by a short response */
		sim_send(s, s->drip_bytes, 128, false);
		s->app_at = s->now + s->drip_every;
		return;
	}

	if (sim_in_burst(s)) {
		if (s->sat_window) {
			/* keep the window full until the burst ends */
			while (s->sat_out < s->sat_window) {
				sim_expect(s, false,
					   sim_uniform(s, s->rtt_min, s->rtt_max));
				s->sat_out++;
			}
			s->app_at = s->burst_end;
			return;
		}
		sim_expect(s, false, sim_uniform(s, s->rtt_min, s->rtt_max));
		s->app_at = s->now + sim_uniform(s, MS(50) + e / 100,
						 MS(2000) + e / 10);
		return;
	}
	/* a silence of up to 5 intervals, then a burst of up to 2 */
	s->app_at = s->now + sim_uniform(s, 0, (s->silence_max ?: 5) * e);
	s->burst_start = s->app_at;
	s->burst_end = s->app_at + sim_uniform(s, 0, (s->burst_max ?: 2) * e);
}

enum sim_event {
	SIM_END, SIM_WORK, SIM_RECV, SIM_APP, SIM_UP, SIM_DOWN, SIM_STOP,
	SIM_PDU,	/* + index in inflight */
};

/*
 * Run until @end, or until the server is given up on (true), unless the
 * run keeps going after reconnects (keep_going: they are counted)
 */
static bool sim_run(struct echo_sim *s, unsigned long end)
{
	unsigned long events = 0;

	KUNIT_ASSERT_LE(s->test, end - s->now, SIM_SPAN_MAX);
	for (;;) {
		unsigned long t = end, u;
		unsigned int i, what = SIM_END;
		bool echo;

		KUNIT_ASSERT_LT_MSG(s->test, events++, SIM_EVENTS_MAX,
				    "the timeline is stuck at +%lu", s->now - s->start);
		if (!time_after(s->work_at, t)) {
			t = s->work_at;
			what = SIM_WORK;
		}
		if (time_before(s->recv_wake, t)) {
			t = s->recv_wake;
			what = SIM_RECV;
		}
		if (s->traffic && time_before(s->app_at, t)) {
			t = s->app_at;
			what = SIM_APP;
		}
		if (s->stream) {
			u = sim_up_event(s);
			if (time_before(u, t)) {
				t = u;
				what = SIM_UP;
			}
			u = sim_down_event(s);
			if (time_before(u, t)) {
				t = u;
				what = SIM_DOWN;
			}
		}
		for (i = 0; i < s->ninflight; i++) {
			if (time_before(s->inflight[i].at, t)) {
				t = s->inflight[i].at;
				what = SIM_PDU + i;
			}
		}
		/* smbd stops first of what happens at the same time */
		if (s->stops && !s->stopped && !time_after(s->stops_at, t)) {
			t = s->stops_at;
			what = SIM_STOP;
		}
		if (time_before(t, s->now))
			t = s->now;	/* due already */
		s->now = t;
		s->events++;
		switch (what) {
		case SIM_END:
			return false;
		case SIM_WORK:
			sim_echo_request(s);
			break;
		case SIM_RECV:
			if (sim_recv(s))
				return true;
			break;
		case SIM_APP:
			sim_app(s);
			break;
		case SIM_UP:
			sim_up_reached(s);
			break;
		case SIM_DOWN:
			if (sim_down_arrival(s))
				return true;
			break;
		case SIM_STOP:
			/* smbd stops reading: the uplink's limit changes */
			sim_up_settle(s);
			s->stopped = true;
			break;
		default:
			i = what - SIM_PDU;
			echo = s->inflight[i].echo;
			/* the response carries the window the read opened */
			s->sread += s->inflight[i].bytes;
			s->inflight[i] = s->inflight[--s->ninflight];
			/* the PDU's header, then its rest: two reads */
			if (sim_read(s, false, echo) || sim_read(s, true, echo))
				return true;
			break;
		}
	}
}

/*
 * A long run in segments that each stay wrap-safe on 32-bit (the wheel
 * model counts from the start of each segment): true if it gave up
 */
static bool sim_run_long(struct echo_sim *s, u64 span)
{
	while (span) {
		unsigned long seg = span > SIM_SPAN_MAX / 2 ?
				    SIM_SPAN_MAX / 2 : (unsigned long)span;

		s->wheel_base = s->now;
		if (sim_run(s, s->now + seg))
			return true;
		span -= seg;
	}
	return false;
}

static const unsigned int hz_models[] = { 100, 250, 1000 };

/*
 * The model's wheel reproduces the stock daisy chain's measured cadence:
 * re-arming for E after each run, 100 runs, at HZ=250.
 */
static void sim_wheel_model(struct kunit *test)
{
	static const struct {
		unsigned int interval_s;
		unsigned int permille;	/* measured cycle / E, HZ=250 */
	} stock[] = { { 1, 1024 }, { 2, 1008 }, { 5, 1024 } };
	struct echo_sim *s;
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(stock); i++) {
		unsigned long e = SECS(stock[i].interval_s), t;

		s = sim_new(test, 0, stock[i].interval_s, 1);
		s->hz_model = 250;
		t = sim_timer(s, 0, e);
		for (n = 1; n < 100; n++)
			t = sim_timer(s, t, e);
		KUNIT_EXPECT_EQ(test, div_u64((u64)t * 1000, 100 * e),
				(u64)stock[i].permille);
	}
}

/*
 * A day idle at E=60 s, with 0..2 s of workqueue latency on every run and
 * the wheel at HZ 100, 250 and 1000: 1440 +-1 echoes, the n-th within its
 * deadline's granule and latency (lateness does not add up).
 */
static void sim_day_idle(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned long e = SECS(60), d0, slack;
	unsigned int n, hz_i;
	struct echo_sim *s;

	for (hz_i = 0; hz_i < ARRAY_SIZE(hz_models); hz_i++) {
		s = sim_new(test, start, 60, 2400 + hz_i);
		s->hz_model = hz_models[hz_i];
		s->work_jitter = SECS(2);
		s->echo_log_len = 24 * 60 + 2;
		s->echo_log = kunit_kcalloc(test, s->echo_log_len,
					    sizeof(*s->echo_log), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s->echo_log);
		d0 = s->server->echo_deadline;

		KUNIT_EXPECT_FALSE(test, sim_run(s, start + 24 * 60 * e));
		KUNIT_EXPECT_GE(test, s->echoes, 24U * 60 - 1);
		KUNIT_EXPECT_LE(test, s->echoes, 24U * 60 + 1);
		KUNIT_EXPECT_EQ(test, s->echoes_skipped, 0U);
		slack = s->work_jitter + sim_wheel_slack(s, e) + 1;
		for (n = 0; n < s->echoes && n < s->echo_log_len; n++) {
			unsigned long due = d0 + n * e;

			KUNIT_ASSERT_FALSE_MSG(test, time_before(s->echo_log[n], due),
					       "echo %u early", n);
			KUNIT_ASSERT_LE_MSG(test, s->echo_log[n] - due, slack,
					    "echo %u drifted (HZ model %u)", n,
					    s->hz_model);
		}
	}
}

/*
 * The capture of the original report, in its own times (centiseconds
 * after 19:00:00): echoes at 19:01:55.05, 19:02:56.49, 19:03:57.94 and
 * 19:04:59.37, each later than the last by the stock daisy chain's drift;
 * the server answers application traffic at 19:05:01.91, then the mount
 * is idle and the server alive. The stock client skipped its next echo for
 * that reply and gave up at 19:07:02 (with a 2 * E limit).
 *
 * Here the runs of the capture anchor the grid at 19:01:55.05: the one due
 * at 19:05:55.05 is skipped (the server answered us after the previous
 * deadline), the next echo goes out at 19:06:55.05 give or take the
 * wheel's granule, on the grid and not on the capture's drift; the server
 * is never given up on.
 */
static const unsigned long seed_echo_cs[] = { 11505, 17649, 23794, 29937 };
#define SEED_REPLY_CS	30191

static unsigned long seed_fire(struct echo_sim *s, unsigned int run,
			       unsigned long fire)
{
	if (run < ARRAY_SIZE(seed_echo_cs))
		return s->start + MS(seed_echo_cs[run] * 10);
	return fire;
}

static void sim_capture(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned long t0, e = SECS(60), slack;
	struct TCP_Server_Info *server;
	struct echo_sim *s;
	unsigned int i;

	s = sim_new(test, start, 60, 19);
	server = s->server;
	s->hz_model = 250;
	s->rtt_min = MS(1);
	s->rtt_max = MS(1);
	t0 = start + MS(seed_echo_cs[0] * 10);
	server->echo_deadline = t0;
	/* idle since the previous deadline: the first echo is due */
	server->lstrp = t0 - e;
	server->lstrp_other = server->lstrp;
	server->lprogress = server->lstrp;
	server->tx_look = server->lstrp;
	s->work_at = t0;
	s->work_fire = seed_fire;
	s->echo_log_len = 16;
	s->echo_log = kunit_kcalloc(test, s->echo_log_len, sizeof(*s->echo_log),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->echo_log);
	slack = sim_wheel_slack(s, e) + 1;

	/* the four echoes of the capture, at the capture's times */
	KUNIT_ASSERT_FALSE(test, sim_run(s, start + MS(SEED_REPLY_CS * 10 - 10)));
	KUNIT_ASSERT_EQ(test, s->echoes, ARRAY_SIZE(seed_echo_cs));
	for (i = 0; i < ARRAY_SIZE(seed_echo_cs); i++)
		KUNIT_EXPECT_EQ(test, s->echo_log[i] - start,
				MS(seed_echo_cs[i] * 10));

	/* 19:05:01.91: the server answers a request of the application */
	sim_expect(s, false, MS(10));

	/* then the application is silent for the next ten minutes */
	KUNIT_EXPECT_FALSE(test, sim_run(s, start + SECS(19 * 60 + 60 * 10)));
	KUNIT_EXPECT_FALSE(test, s->reconnected);
	KUNIT_EXPECT_LE(test, s->max_reply_gap, SIM_LIMIT_INTERVALS * e);

	/* 19:05:55.05 skipped, 19:06:55.05 sent, and on the grid after that */
	KUNIT_EXPECT_EQ(test, s->echoes_skipped, 1U);
	KUNIT_ASSERT_GE(test, s->echoes, 10U);
	for (i = 4; i < s->echoes && i < s->echo_log_len; i++) {
		unsigned long due = t0 + (i + 1) * e;

		KUNIT_EXPECT_FALSE_MSG(test, time_before(s->echo_log[i], due),
				       "echo %u early", i);
		KUNIT_EXPECT_LE_MSG(test, s->echo_log[i] - due, slack,
				    "echo %u off the grid", i);
	}
}

static const unsigned int intervals_s[] = { 1, 2, 5, 60, 600 };

/*
 * Randomized traffic against a live server, E from 1 s to 600 s: bursts of
 * requests and silences, round trips up to E/2, workqueue latency up to
 * E/4 (2 s at most), the three wheel models: never given up on, 2000
 * intervals of each E per run, four runs.
 */
static void sim_live_random(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned long secs = 0, events = 0, echoes = 0, skipped = 0;
	unsigned int i, run;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(intervals_s); i++) {
		unsigned int e_s = intervals_s[i];
		unsigned long e = SECS(e_s);
		unsigned long span = min(e * 2000, SIM_SPAN_MAX);

		for (run = 0; run < 4; run++) {
			s = sim_new(test, start, e_s, 1000 * e_s + run);
			s->hz_model = hz_models[run % ARRAY_SIZE(hz_models)];
			s->traffic = true;
			s->rtt_min = 1;
			s->rtt_max = e / 2;
			s->work_jitter = min(SECS(2), e / 4);
			KUNIT_EXPECT_FALSE_MSG(test, sim_run(s, start + span),
					       "E=%us run %u: gave up at +%u ms, last reply +%u ms, last sign of life +%u ms",
					       e_s, run,
					       jiffies_to_msecs(s->reconnect_at - start),
					       jiffies_to_msecs(s->reconnect_lstrp - start),
					       jiffies_to_msecs(s->reconnect_heard - start));
			KUNIT_EXPECT_GT(test, s->echoes, 0U);
			secs += span / HZ;
			events += s->events;
			echoes += s->echoes;
			skipped += s->echoes_skipped;
		}
	}
	kunit_info(test, "%lu simulated hours without a false reconnect (%lu events, %lu echoes, %lu skipped)\n",
		   secs / 3600, events, echoes, skipped);
}

/*
 * A server that dies at a random moment (nothing crosses the link after
 * it), idle or in use, round trips up to E/2: given up on more than 3E
 * after its last sign of life, and no later than the next look of the
 * receive path: cifs_recv_timeout(E), and the wheel's granule for that
 * wait.
 */
static void sim_dying(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned int i, run;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(intervals_s); i++) {
		unsigned int e_s = intervals_s[i];
		unsigned long e = SECS(e_s), limit = SIM_LIMIT_INTERVALS * e;
		unsigned long look = cifs_recv_timeout(e);
		unsigned long hi = 0;

		for (run = 0; run < 8; run++) {
			unsigned long silence, late;

			s = sim_new(test, start, e_s, 7000 * e_s + run);
			s->hz_model = run & 1 ? 1000 : 250;
			s->traffic = run & 2;
			s->rtt_min = 1;
			s->rtt_max = e / 2;
			s->dies = true;
			s->dies_at = start + e + sim_uniform(s, 0, 10 * e);
			late = look + sim_wheel_slack(s, look);
			KUNIT_ASSERT_TRUE_MSG(test, sim_run(s, s->dies_at + 10 * e),
					      "E=%us run %u: dead server never given up on",
					      e_s, run);
			KUNIT_EXPECT_FALSE(test, time_after(s->reconnect_heard,
							    s->dies_at));
			silence = s->reconnect_at - s->reconnect_heard;
			KUNIT_EXPECT_GT_MSG(test, silence, limit,
					    "E=%us run %u: given up %u ms before 3E",
					    e_s, run,
					    jiffies_to_msecs(limit - silence));
			KUNIT_EXPECT_LE_MSG(test, silence, limit + late,
					    "E=%us run %u: given up %u ms after 3E",
					    e_s, run,
					    jiffies_to_msecs(silence - limit));
			hi = max(hi, silence - limit);
		}
		kunit_info(test, "E=%us, dead server: given up at most 3E + %u ms after its last sign of life (a look: %u ms)\n",
			   e_s, jiffies_to_msecs(hi), jiffies_to_msecs(look));
	}
}

/* A round trip of 1.5 s, idle, at E = 2, 5, 60 s: every deadline its echo */
static void sim_slow_link(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	static const unsigned int slow_e[] = { 2, 5, 60 };
	unsigned int i;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(slow_e); i++) {
		unsigned long e = SECS(slow_e[i]);
		unsigned int n = 500;

		s = sim_new(test, start, slow_e[i], 15 + i);
		s->hz_model = 250;
		s->rtt_min = MS(1500);
		s->rtt_max = MS(1500);
		KUNIT_EXPECT_FALSE(test, sim_run(s, start + n * e + e / 2));
		KUNIT_EXPECT_EQ_MSG(test, s->echoes, n, "E=%us", slow_e[i]);
		/* no echo skipped: no gap reaches two intervals */
		KUNIT_EXPECT_LT(test, s->max_echo_gap, 2 * e);
		KUNIT_EXPECT_GE(test, s->replies, n - 1);
	}
}

/*
 * The margin a skip costs. An echo is skipped when the server answered us
 * after the previous deadline; the next echo goes out a deadline later, so
 * a burst of traffic whose last response comes just after a deadline is
 * followed by two intervals without an echo, and the server is next heard
 * from 2E + L + R after it (L the work's latency, R the echo's round
 * trip). At E = 60 s, L up to the wheel's 2.048 s and R = 0.9 E, that is
 * 2.9 E and more: a live server is not given up on, and the case checks
 * that it did come that close to the limit. (With R >= E - L the silence
 * passes 3E: with other traffic, the limit holds while L + R < E; idle, it
 * holds while L + R < 2E, as SMB_ECHO_TIMEOUT_INTERVALS says.)
 */
static void sim_skip_margin(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned long e = SECS(60), d1, rtt = e * 9 / 10;
	struct echo_sim *s;

	s = sim_new(test, start, 60, 77);
	s->hz_model = 250;
	s->rtt_min = rtt;
	s->rtt_max = rtt;
	d1 = s->server->echo_deadline;
	/* a burst: a response just before d1 and the last just after it */
	KUNIT_ASSERT_FALSE(test, sim_run(s, d1 - 20));
	sim_expect(s, false, 10);
	KUNIT_ASSERT_FALSE(test, sim_run(s, d1 - 5));
	sim_expect(s, false, 6);
	KUNIT_EXPECT_FALSE_MSG(test, sim_run(s, d1 + 20 * e),
			       "a live server given up on %u ms after its last response",
			       jiffies_to_msecs(s->reconnect_at - s->reconnect_heard));
	/* d1 and d1 + E skipped, and the first echo at d1 + 2E */
	KUNIT_EXPECT_EQ(test, s->echoes_skipped, 2U);
	KUNIT_EXPECT_GE(test, s->max_reply_gap, 2 * e + rtt - 1);
	KUNIT_EXPECT_LE(test, s->max_reply_gap, SIM_LIMIT_INTERVALS * e);
}

/*
 * A round trip R longer than the interval, idle: an echo due while the last
 * one is unanswered is not sent (SMB2's one echo credit), so the cadence is
 * one echo per 2E and a live server is heard from every 2E, within the
 * limit. A server that dies behind such a link is still given up on within
 * 3E and the next look of its last sign of life.
 */
static void sim_rtt_over_interval(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	static const unsigned int rtt_pm[] = { 1250, 1900 };	/* of E */
	unsigned long e = SECS(2);
	unsigned long limit = SIM_LIMIT_INTERVALS * e;
	unsigned long look = cifs_recv_timeout(e);
	unsigned int i, run;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(rtt_pm); i++) {
		unsigned long rtt = div_u64((u64)e * rtt_pm[i], 1000);

		for (run = 0; run < 4; run++) {
			unsigned long silence;

			s = sim_new(test, start, 2, 710 + 4 * i + run);
			s->hz_model = run & 1 ? 1000 : 250;
			s->rtt_min = rtt;
			s->rtt_max = rtt;
			s->dies = true;
			s->dies_at = start + e + sim_uniform(s, 0, 20 * e);
			KUNIT_ASSERT_TRUE_MSG(test,
					      sim_run(s, s->dies_at + 10 * e),
					      "RTT %u/1000 E run %u: dead server never given up on",
					      rtt_pm[i], run);
			silence = s->reconnect_at - s->reconnect_heard;
			KUNIT_EXPECT_GT(test, silence, limit);
			KUNIT_EXPECT_LE(test, silence,
					limit + look + sim_wheel_slack(s, look));
		}

		s = sim_new(test, start, 2, 700 + i);
		s->hz_model = 250;
		s->rtt_min = rtt;
		s->rtt_max = rtt;
		KUNIT_EXPECT_FALSE(test, sim_run(s, start + 1000 * e));
		KUNIT_EXPECT_GE(test, s->echoes, 499U);
		KUNIT_EXPECT_LE(test, s->echoes, 501U);
		KUNIT_EXPECT_GE(test, s->echoes_busy, 498U);
		KUNIT_EXPECT_GE(test, s->min_echo_gap, 2 * e - MS(300));
		KUNIT_EXPECT_LE(test, s->max_echo_gap, 2 * e + MS(300));
		/* one interval and a round trip for the first reply */
		KUNIT_EXPECT_LE(test, s->max_reply_gap, e + rtt + MS(300));
	}
}

/* The echo work's 11th run comes 1.5 intervals late */
static unsigned long stall_fire(struct echo_sim *s, unsigned int run,
				unsigned long fire)
{
	return run == 10 ? fire + s->server->echo_interval * 3 / 2 : fire;
}

/*
 * A workqueue stall of 1.5 intervals at E = 60 s and 600 s, idle: the late
 * run sends one echo, and the next run is on the grid point after it, not
 * at once for the missed deadline (no burst). The server is not given up
 * on: it was heard from 2.5 E before.
 */
static void sim_stall(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	static const unsigned int stall_e[] = { 60, 600 };
	struct echo_sim *s;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(stall_e); i++) {
		unsigned long e = SECS(stall_e[i]), d0, slack;

		s = sim_new(test, start, stall_e[i], 600 + i);
		s->hz_model = 250;
		s->work_fire = stall_fire;
		s->run_log_len = 32;
		s->run_log = kunit_kcalloc(test, s->run_log_len,
					   sizeof(*s->run_log), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s->run_log);
		s->echo_log_len = 32;
		s->echo_log = kunit_kcalloc(test, s->echo_log_len,
					    sizeof(*s->echo_log), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s->echo_log);
		d0 = s->server->echo_deadline;
		slack = sim_wheel_slack(s, e) + 1;
		KUNIT_EXPECT_FALSE(test, sim_run(s, start + 25 * e));
		KUNIT_EXPECT_FALSE(test, s->reconnected);

		/* runs 0..9 on time, run 10 (due at d0 + 10E) 1.5E late */
		KUNIT_ASSERT_GE(test, s->work_runs, 20U);
		KUNIT_EXPECT_GE(test, s->run_log[10] - (d0 + 10 * e), e * 3 / 2);
		/* the next run: d0 + 12E, not the missed d0 + 11E at once */
		for (k = 11; k < 20; k++) {
			unsigned long due = d0 + (k + 1) * e;

			KUNIT_EXPECT_FALSE_MSG(test, time_before(s->run_log[k], due),
					       "E=%us: run %u at +%u ms, due at +%u ms",
					       stall_e[i], k,
					       jiffies_to_msecs(s->run_log[k] - start),
					       jiffies_to_msecs(due - start));
			KUNIT_EXPECT_LE(test, s->run_log[k] - due, slack);
		}
		/* one echo per run, the late one included: no echo lost */
		KUNIT_EXPECT_EQ(test, s->echoes_skipped, 0U);
		KUNIT_EXPECT_EQ(test, s->echoes + s->echoes_busy, s->work_runs);
	}
}

/*
 * Run a byte-stream timeline that must not reconnect, and say what it did
 * if it did: reconnects are counted and the requests sent again, as
 * cifs_reconnect() and the retries above it do.
 */
static void sim_expect_live(struct echo_sim *s, unsigned long end,
			    const char *what, unsigned int e_s)
{
	struct kunit *test = s->test;

	s->keep_going = true;
	sim_run(s, end);
	KUNIT_EXPECT_EQ_MSG(test, s->reconnects, 0U,
			    "%s, E=%us: %u reconnects, the first at +%u ms (last sign of life +%u ms)",
			    what, e_s, s->reconnects,
			    jiffies_to_msecs(s->reconnect_at - s->start),
			    jiffies_to_msecs(s->reconnect_heard - s->start));
	KUNIT_EXPECT_TRUE_MSG(test, s->xfer_ended,
			      "%s, E=%us: the transfer did not complete (%u of %u requests)",
			      what, e_s, s->xfer_done,
			      s->xfer_done + s->xfer_left + s->xfer_inflight);
}

/* Links and intervals where one 4 MiB request takes 1.4 limits to cross */
static const struct {
	unsigned int e_s;
	u32 rate;	/* bytes per second: 8 Mbit/s, 2 Mbit/s, 0.16 Mbit/s */
} slow_links[] = { { 1, 1000000 }, { 5, 250000 }, { 60, 20000 } };

/*
 * A 16 MiB write on a slow uplink, after some idle intervals: four 4 MiB
 * requests at once, each taking longer than the limit to cross. No whole
 * response comes back for longer than the limit (the case checks that it
 * did), the echoes are not sent while the requests are (in_send) and wait
 * behind them after; the server reads our bytes all along, and it is not
 * given up on. Given up, the transfer would never end: the reconnect
 * sends the requests again from their start.
 */
static void sim_slow_uplink(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned int i;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(slow_links); i++) {
		unsigned long e = SECS(slow_links[i].e_s);
		unsigned long cross = div_u64(4ULL * MIB * HZ, slow_links[i].rate);

		s = sim_new(test, start, slow_links[i].e_s, 300 + i);
		s->hz_model = 250;
		s->stream = true;
		s->up_rate = slow_links[i].rate;
		s->proc = MS(5);
		/* idle for a while: echoes answered, the receive path at rest */
		KUNIT_ASSERT_FALSE(test, sim_run(s, start + 2 * e + e / 2));
		KUNIT_ASSERT_GE(test, s->replies, 2U);
		sim_start_xfer(s, 4, 4 * MIB + 112, 80, 4);
		sim_expect_live(s, s->now + 20 * cross, "16 MiB write",
				slow_links[i].e_s);
		KUNIT_EXPECT_GT_MSG(test, s->max_reply_gap,
				    SIM_LIMIT_INTERVALS * e,
				    "E=%us: the run never went past the limit",
				    slow_links[i].e_s);
		KUNIT_EXPECT_GE(test, s->echoes, 2U);
	}
}

/*
 * A 16 MiB read on a slow downlink: 4 MiB responses that take longer than
 * the limit to arrive, read as they come; the server is sending them.
 */
static void sim_slow_downlink(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned int i;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(slow_links); i++) {
		unsigned long e = SECS(slow_links[i].e_s);
		unsigned long cross = div_u64(4ULL * MIB * HZ, slow_links[i].rate);

		s = sim_new(test, start, slow_links[i].e_s, 400 + i);
		s->hz_model = 250;
		s->stream = true;
		s->down_rate = slow_links[i].rate;
		s->proc = MS(5);
		sim_start_xfer(s, 4, 100, 4 * MIB + 80, 4);
		sim_expect_live(s, start + 20 * cross, "16 MiB read",
				slow_links[i].e_s);
		KUNIT_EXPECT_GT_MSG(test, s->max_reply_gap,
				    SIM_LIMIT_INTERVALS * e,
				    "E=%us: the run never went past the limit",
				    slow_links[i].e_s);
	}
}

/*
 * smbd stops reading (SIGSTOP) while its kernel goes on acknowledging what
 * fits in its receive buffer, at E = 1, 5, 60 s:
 *  - idle: given up on more than 3E after its last response, and no later
 *    than the next look after that;
 *  - small writes now and then (200 KiB every 0.7 s into a 64 MiB buffer),
 *    likewise;
 *  - during a 16 MiB upload on a slow link: the silence counts from the
 *    receive path's last look before the stop (the edge moved since, so
 *    smbd read after it), never from a moment after the stop; so it is
 *    given up on no sooner than 3E - 2 * cifs_recv_timeout(E) after the
 *    stop, and no later than 3E after it plus the look that sees the limit
 *    passed: cifs_recv_timeout(E) and the wheel's granule of that wait.
 */
static void sim_stopped_reader(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	unsigned int i, kind, run;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(slow_links); i++) {
		unsigned int e_s = slow_links[i].e_s;
		unsigned long e = SECS(e_s);
		unsigned long limit = SIM_LIMIT_INTERVALS * e;
		unsigned long look = cifs_recv_timeout(e);
		long lo = LONG_MAX, hi = LONG_MIN;

		for (kind = 0; kind < 3; kind++) {
			for (run = 0; run < 4; run++) {
				unsigned long late, took, heard;

				s = sim_new(test, start, e_s,
					    600 + 10 * i + 3 * kind + run);
				s->hz_model = run & 1 ? 1000 : 250;
				s->stream = true;
				s->up_rate = kind == 2 ? slow_links[i].rate : 1000000;
				s->rcvbuf = kind == 1 ? 64 * MIB : 4 * MIB;
				s->proc = MS(2);
				s->stops = true;
				s->stops_at = start + e + sim_uniform(s, 0, 4 * e);
				late = look + sim_wheel_slack(s, look);
				if (kind == 1) {
					s->traffic = true;
					s->app_at = start + sim_uniform(s, 0, MS(700));
					s->drip_every = MS(700);
					s->drip_bytes = 200 * 1024;
				}
				if (kind == 2)
					sim_start_xfer(s, 4, 4 * MIB + 112, 80, 4);
				KUNIT_ASSERT_TRUE_MSG(test,
						      sim_run(s, s->stops_at + 100 * limit),
						      "E=%us kind %u run %u: stopped server never given up on",
						      e_s, kind, run);
				heard = s->reconnect_heard;
				KUNIT_EXPECT_TRUE_MSG(test, time_before(heard, s->stops_at),
						      "E=%us kind %u run %u: silence counted from +%ld ms after the stop",
						      e_s, kind, run,
						      (long)jiffies_to_msecs(heard - s->stops_at));
				took = s->reconnect_at - heard;
				KUNIT_EXPECT_GT(test, took, limit);
				KUNIT_EXPECT_LE_MSG(test, took, limit + late,
						    "E=%us kind %u run %u: given up %u ms after the limit",
						    e_s, kind, run,
						    jiffies_to_msecs(took - limit));
				if (kind != 2)
					continue;
				/* the upload was going on when smbd stopped */
				KUNIT_EXPECT_TRUE(test, s->xfer_left || s->xfer_inflight);
				/*
				 * The silence counts from a look before the stop: the
				 * last one, or an earlier one when the stop came early
				 * in the look after and the edge moved by less than a
				 * quarter of what was acknowledged (cifs_tx_progress()).
				 * The promise is the give-up's window, below.
				 */
				took = s->reconnect_at - s->stops_at;
				lo = min(lo, (long)(took - limit));
				hi = max(hi, (long)(took - limit));
				KUNIT_EXPECT_GT_MSG(test, took, limit - 2 * look,
						    "E=%us run %u: given up %u ms after the stop",
						    e_s, run, jiffies_to_msecs(took));
				KUNIT_EXPECT_LE_MSG(test, took, limit + late,
						    "E=%us run %u: given up %u ms after the stop",
						    e_s, run, jiffies_to_msecs(took));
			}
		}
		kunit_info(test, "E=%us, smbd stopped during an upload: given up 3E %+ld..%+ld ms after the stop (a look: %u ms)\n",
			   e_s, lo * 1000 / HZ, hi * 1000 / HZ,
			   jiffies_to_msecs(look));
	}
}

/*
 * At scale (slow): over 100 000 simulated hours, mostly at long intervals
 * (where an hour costs least), every E from 1 s to 600 s, saturating bursts
 * (1 to 8 requests kept out for up to 3 intervals), silences of up to 30
 * intervals, round trips up to E/2 and workqueue latency up to E/4 (2 s at
 * most), three wheel models: a live server is never given up on. It prints
 * the simulated hours per second. Each run goes in segments wrap-safe on
 * 32-bit; hours are counted in u64 (never hours * 3600 * HZ in a long).
 */
static void sim_at_scale(struct kunit *test)
{
	unsigned long start = *(const unsigned long *)test->param_value;
	static const struct {
		unsigned int e_s, hours;
	} mix[] = {
		{ 1, 160 }, { 2, 320 }, { 5, 800 }, { 60, 9600 },
		{ 600, 96000 },
	};
	u64 hours = 0, t0 = ktime_get_ns(), ms, echoes = 0, skipped = 0;
	unsigned int i, run;
	struct echo_sim *s;

	for (i = 0; i < ARRAY_SIZE(mix); i++) {
		unsigned int e_s = mix[i].e_s;
		unsigned long e = SECS(e_s);
		u64 span = (u64)(mix[i].hours / 4) * 3600 * HZ;

		for (run = 0; run < 4; run++) {
			s = sim_new(test, start, e_s, 90000 + 10 * e_s + run);
			s->hz_model = hz_models[run % ARRAY_SIZE(hz_models)];
			s->traffic = true;
			s->silence_max = 30;
			s->burst_max = 3;
			s->sat_window = 1 + run * 2 + sim_rand(s, 2);
			s->rtt_min = 1;
			s->rtt_max = e / 2;
			s->work_jitter = min(SECS(2), e / 4);
			KUNIT_EXPECT_FALSE_MSG(test, sim_run_long(s, span),
					       "E=%us run %u: gave up after %lu s of silence",
					       e_s, run,
					       (s->reconnect_at - s->reconnect_heard) / HZ);
			KUNIT_EXPECT_GT_MSG(test, s->echoes, 0U,
					    "E=%us run %u: %u runs of the echo work, %u skipped (%u sending), %u unanswered, %u replies, %lu events",
					    e_s, run, s->work_runs, s->echoes_skipped,
					    s->skipped_sending, s->echoes_busy,
					    s->replies, s->events);
			hours += mix[i].hours / 4;
			echoes += s->echoes;
			skipped += s->echoes_skipped;
		}
	}
	ms = max_t(u64, div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC), 1);
	KUNIT_EXPECT_GE(test, hours, 100000ULL);
	kunit_info(test, "%llu simulated hours without a false reconnect in %llu ms: %llu simulated hours per second (%llu echoes, %llu skipped)\n",
		   hours, ms, div64_u64(hours * 1000, ms), echoes, skipped);
}

/*
 * sim_at_scale takes minutes under emulation: marked slow, so that a run
 * filtered with speed>slow leaves it out. Trees before 6.6 have no test
 * attributes: there it is an ordinary case.
 */
#ifdef KUNIT_CASE_PARAM_ATTR
#define SIM_CASE_PARAM_SLOW(test_name, gen_params)			\
	KUNIT_CASE_PARAM_ATTR(test_name, gen_params,			\
			      { .speed = KUNIT_SPEED_SLOW })
#else
#define SIM_CASE_PARAM_SLOW(test_name, gen_params)			\
	KUNIT_CASE_PARAM(test_name, gen_params)
#endif

static struct kunit_case cifs_echo_sim_cases[] = {
	KUNIT_CASE(sim_wheel_model),
	KUNIT_CASE_PARAM(sim_day_idle, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_capture, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_slow_link, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_rtt_over_interval, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_skip_margin, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_stall, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_dying, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_slow_uplink, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_slow_downlink, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_stopped_reader, epoch_gen_params),
	KUNIT_CASE_PARAM(sim_live_random, epoch_gen_params),
	SIM_CASE_PARAM_SLOW(sim_at_scale, epoch_gen_params),
	{}
};

static struct kunit_suite cifs_echo_sim_suite = {
	.name = "cifs_echo_sim",
	.test_cases = cifs_echo_sim_cases,
};

kunit_test_suite(cifs_echo_sim_suite);

MODULE_DESCRIPTION("cifs-echofix's simulator of the SMB client's echo schedule");
MODULE_LICENSE("GPL");
