/*
 * fp.c — fingerprint readers through libfprint (R5.3).
 *
 * Invariants:
 *  - Everything runs on GLib's global default main context, which the
 *    libfprint sync calls iterate; pushing a thread-default context would
 *    hang discovery.  One session = one context, one device, one
 *    GCancellable; a timer (conf fp_timeout_seconds) on that context cancels
 *    the session, because libfprint itself waits for a finger forever.
 *  - The reader is the first device libfprint finds, or the one whose driver
 *    is named by --device or conf fp_device.  None → ST_FAIL "no
 *    fingerprint reader found", before anything is written.
 *  - A stored print is checked before libfprint sees it: longer than the
 *    "FP3" magic and starting with it (fp_print_deserialize asserts on short
 *    input), its data of the shape its print type calls for (print_parses:
 *    libfprint aborts on another), then fp_print_compatible with the open
 *    device.
 *  - Prompts go to the person (conv_info: stderr, or the PAM conversation)
 *    when the device asks for the finger (finger-status NEEDED), one per
 *    scan; retry reasons as libfprint reports them.  GLib's
 *    own messages (G_MESSAGES_DEBUG) are sent to stderr too, never stdout.
 *  - Prints from libfprint are GInitiallyUnowned: a floating reference is
 *    sunk before it is kept, so a failed enrolment cannot free it twice.
 *  - Serialised bytes are copied into a struct secret and libfprint's copy
 *    is wiped; libfprint's internal copy of the print cannot be reached.
 *  - libfprint, and GLib with it, is loaded with dlopen only when a
 *    fingerprint is enrolled or verified, so that the tools linking the gate
 *    start without its 29 shared objects.  Its headers give the types: every
 *    function used here is called through the table fpl, resolved in full
 *    before the first call or not at all (ST_FAIL "no reader").  It is never
 *    unloaded (GLib cannot be).
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <fprint.h>
#include "jukisec.h"
#include "bioint.h"
#include "conv.h"

#define FP_LIBRARY	"libfprint-2.so.2"

/* Every libfprint, GObject, GIO and GLib function fp.c calls, also those
 * the headers' macros expand to (g_signal_connect, FP_DEVICE_RETRY, ...). */
#define FP_FUNCS \
	X(fp_context_new) X(fp_context_get_devices) X(fp_device_close_sync) \
	X(fp_device_enroll_sync) X(fp_device_error_quark) \
	X(fp_device_get_device_id) X(fp_device_get_driver) \
	X(fp_device_get_finger_status) \
	X(fp_device_get_name) X(fp_device_get_nr_enroll_stages) \
	X(fp_device_is_open) X(fp_device_open_sync) X(fp_device_retry_quark) \
	X(fp_device_verify_sync) X(fp_print_compatible) \
	X(fp_print_deserialize) X(fp_print_get_device_id) \
	X(fp_print_get_driver) X(fp_print_new) \
	X(fp_print_serialize) X(fp_print_set_finger) X(fp_print_set_username) \
	X(g_cancellable_cancel) X(g_cancellable_new) X(g_clear_error) \
	X(g_error_free) X(g_free) X(g_log_set_writer_func) \
	X(g_log_writer_default) X(g_log_writer_default_set_use_stderr) \
	X(g_object_is_floating) X(g_object_ref) X(g_object_ref_sink) \
	X(g_object_unref) X(g_signal_connect_data) \
	X(g_signal_handler_disconnect) X(g_source_remove) X(g_timeout_add) \
	X(g_timeout_add_seconds) X(g_variant_get_child_value) \
	X(g_variant_get_int32) X(g_variant_get_normal_form) \
	X(g_variant_get_variant) X(g_variant_is_of_type) \
	X(g_variant_new_from_data) X(g_variant_ref_sink) X(g_variant_unref)

static struct {
#define X(f)	__typeof__(f) *f;
	FP_FUNCS
#undef X
} fpl;

/* Loads libfprint, once it works; ST_OK, or ST_FAIL after a message said
 * to to (jerr_say). */
static int
fp_lib_open(struct jerr *to)
{
	static int loaded;
	void *h, *f;
	const char *e = NULL;

	if (loaded)
		return ST_OK;
	if ((h = dlopen(FP_LIBRARY, RTLD_NOW | RTLD_LOCAL)) == NULL)
		e = dlerror();
#define X(n)	if (e == NULL) { \
		if ((f = dlsym(h, #n)) == NULL) \
			e = #n; \
		else \
			memcpy(&fpl.n, &f, sizeof f); \
	}
	FP_FUNCS
#undef X
	if (e != NULL) {
		jerr_say(to, ST_FAIL,
		    _("cannot load %s, fingerprint readers are "
		    "unavailable: %s"), FP_LIBRARY, e);
		return ST_FAIL;
	}
	loaded = 1;
	return ST_OK;
}

/* From here on each name calls through the table. */
#undef g_object_ref
#undef g_object_ref_sink
#define fp_context_new			(*fpl.fp_context_new)
#define fp_context_get_devices		(*fpl.fp_context_get_devices)
#define fp_device_close_sync		(*fpl.fp_device_close_sync)
#define fp_device_enroll_sync		(*fpl.fp_device_enroll_sync)
#define fp_device_error_quark		(*fpl.fp_device_error_quark)
#define fp_device_get_device_id		(*fpl.fp_device_get_device_id)
#define fp_device_get_driver		(*fpl.fp_device_get_driver)
#define fp_device_get_finger_status	(*fpl.fp_device_get_finger_status)
#define fp_device_get_name		(*fpl.fp_device_get_name)
#define fp_device_get_nr_enroll_stages	(*fpl.fp_device_get_nr_enroll_stages)
#define fp_device_is_open		(*fpl.fp_device_is_open)
#define fp_device_open_sync		(*fpl.fp_device_open_sync)
#define fp_device_retry_quark		(*fpl.fp_device_retry_quark)
#define fp_device_verify_sync		(*fpl.fp_device_verify_sync)
#define fp_print_compatible		(*fpl.fp_print_compatible)
#define fp_print_deserialize		(*fpl.fp_print_deserialize)
#define fp_print_get_device_id		(*fpl.fp_print_get_device_id)
#define fp_print_get_driver		(*fpl.fp_print_get_driver)
#define fp_print_new			(*fpl.fp_print_new)
#define fp_print_serialize		(*fpl.fp_print_serialize)
#define fp_print_set_finger		(*fpl.fp_print_set_finger)
#define fp_print_set_username		(*fpl.fp_print_set_username)
#define g_cancellable_cancel		(*fpl.g_cancellable_cancel)
#define g_cancellable_new		(*fpl.g_cancellable_new)
#define g_clear_error			(*fpl.g_clear_error)
#define g_error_free			(*fpl.g_error_free)
#define g_free				(*fpl.g_free)
#define g_log_set_writer_func		(*fpl.g_log_set_writer_func)
#define g_log_writer_default		(*fpl.g_log_writer_default)
#define g_log_writer_default_set_use_stderr \
	(*fpl.g_log_writer_default_set_use_stderr)
#define g_object_is_floating		(*fpl.g_object_is_floating)
#define g_object_ref			(*fpl.g_object_ref)
#define g_object_ref_sink		(*fpl.g_object_ref_sink)
#define g_object_unref			(*fpl.g_object_unref)
#define g_signal_connect_data		(*fpl.g_signal_connect_data)
#define g_signal_handler_disconnect	(*fpl.g_signal_handler_disconnect)
#define g_source_remove			(*fpl.g_source_remove)
#define g_timeout_add			(*fpl.g_timeout_add)
#define g_timeout_add_seconds		(*fpl.g_timeout_add_seconds)
#define g_variant_get_child_value	(*fpl.g_variant_get_child_value)
#define g_variant_get_int32		(*fpl.g_variant_get_int32)
#define g_variant_get_normal_form	(*fpl.g_variant_get_normal_form)
#define g_variant_get_variant		(*fpl.g_variant_get_variant)
#define g_variant_is_of_type		(*fpl.g_variant_is_of_type)
#define g_variant_new_from_data		(*fpl.g_variant_new_from_data)
#define g_variant_ref_sink		(*fpl.g_variant_ref_sink)
#define g_variant_unref			(*fpl.g_variant_unref)

struct session {
	FpContext	*ctx;
	FpDevice	*dev;
	GCancellable	*cancel;
	guint		timer;
	guint		late;		/* fallback prompt, see expect_finger */
	int		reports;	/* the reader reports finger-status */
	gulong		notify;
	int		timed_out;
	int		enrolling;
	int		nstages, done;	/* enrolment progress */
	int		prompted;	/* scan number last prompted for */
	const char	*finger;
};

static const struct {
	const char	*name, *text;
} fingers[] = {
	{ "left-thumb",		N_("left thumb") },
	{ "left-index-finger",	N_("left index finger") },
	{ "left-middle-finger",	N_("left middle finger") },
	{ "left-ring-finger",	N_("left ring finger") },
	{ "left-little-finger",	N_("left little finger") },
	{ "right-thumb",	N_("right thumb") },
	{ "right-index-finger",	N_("right index finger") },
	{ "right-middle-finger", N_("right middle finger") },
	{ "right-ring-finger",	N_("right ring finger") },
	{ "right-little-finger", N_("right little finger") },
};

static void
prompt(struct session *s)
{
	int scan = s->enrolling ? s->done + 1 : 1;

	if (s->prompted == scan || (s->enrolling && scan > s->nstages))
		return;
	s->prompted = scan;
	if (!s->enrolling)
		conv_info(_("place your %s on the reader\n"), s->finger);
	else if (scan == 1)
		conv_info(_("scan 1 of %d: place your %s on the reader\n"),
		    s->nstages, s->finger);
	else
		conv_info(
		    _("scan %d of %d: lift your finger and place it again\n"),
		    scan, s->nstages);
}

static void
on_finger_status(FpDevice *dev, GParamSpec *ps, gpointer data)
{
	struct session *s = data;

	(void)ps;
	if ((fp_device_get_finger_status(dev) & FP_FINGER_STATUS_NEEDED) &&
	    !s->reports) {
		s->reports = 1;
		if (s->late != 0)
			g_source_remove(s->late);
		s->late = 0;
	}
	if (fp_device_get_finger_status(dev) == FP_FINGER_STATUS_NEEDED)
		prompt(s);
}

static gboolean
on_late(gpointer data)
{
	struct session *s = data;

	s->late = 0;
	prompt(s);
	return G_SOURCE_REMOVE;
}

/* The prompt comes when the reader reports that it waits for the finger; a
 * driver that has not reported so in this session gets one a little later
 * instead.  (Never early for one that reports: an image reader would drop a
 * finger laid on it before it waits.) */
static void
expect_finger(struct session *s)
{
	if (s->late != 0)
		g_source_remove(s->late);
	s->late = s->reports ? 0 : g_timeout_add(2000, on_late, s);
}

static void
say_retry(struct session *s, const GError *e)
{
	switch (e->code) {
	case FP_DEVICE_RETRY_TOO_SHORT:
		conv_info(_("swipe too short, try again\n"));
		break;
	case FP_DEVICE_RETRY_CENTER_FINGER:
		conv_info(_("center your finger on the reader, try again\n"));
		break;
	case FP_DEVICE_RETRY_REMOVE_FINGER:
		conv_info(_("remove your finger and try again\n"));
		break;
	default:
		conv_info(_("the scan was not clear, try again\n"));
	}
	s->prompted = 0;	/* the device asks again: prompt again */
	expect_finger(s);
}

static void
on_progress(FpDevice *dev, gint done, FpPrint *p, gpointer data, GError *e)
{
	struct session *s = data;

	(void)dev; (void)p;
	if (e != NULL)
		say_retry(s, e);
	else {
		s->done = done;
		expect_finger(s);
	}
}

static gboolean
on_timeout(gpointer data)
{
	struct session *s = data;

	s->timed_out = 1;
	s->timer = 0;
	g_cancellable_cancel(s->cancel);
	return G_SOURCE_REMOVE;
}

static void
session_end(struct session *s)
{
	if (s->timer != 0)
		g_source_remove(s->timer);
	if (s->late != 0)
		g_source_remove(s->late);
	if (s->dev != NULL) {
		if (s->notify != 0)
			g_signal_handler_disconnect(s->dev, s->notify);
		if (fp_device_is_open(s->dev))
			(void)fp_device_close_sync(s->dev, NULL, NULL);
		g_object_unref(s->dev);
	}
	if (s->cancel != NULL)
		g_object_unref(s->cancel);
	if (s->ctx != NULL)
		g_object_unref(s->ctx);
	memset(s, 0, sizeof *s);
}

/* libfprint warns on stderr about what the prompts already say ("No
 * minutiae found"); keep those for G_MESSAGES_DEBUG, and never let GLib
 * write to stdout. */
static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *f, gsize n, gpointer data)
{
	gsize i;

	if ((level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE)) &&
	    getenv("G_MESSAGES_DEBUG") == NULL)
		for (i = 0; i < n; i++)
			if (strcmp(f[i].key, "GLIB_DOMAIN") == 0 &&
			    f[i].length == -1 &&
			    strncmp(f[i].value, "libfprint", 9) == 0)
				return G_LOG_WRITER_HANDLED;
	return g_log_writer_default(level, f, n, data);
}

/* The index of a finger name in fingers[], or -1. */
static int
finger_index(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof fingers / sizeof fingers[0]; i++)
		if (strcmp(fingers[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Needs no reader and no libfprint: the tools call it on argv. */
int
bio_finger_check(const char *finger, struct jerr *e)
{
	if (finger == NULL || finger_index(finger) != -1)
		return ST_OK;
	jerr_say(e, ST_USAGE,
	    _("unknown finger %s (e.g. right-index-finger, left-thumb)"),
	    finger);
	return ST_USAGE;
}

/* Finds and opens the reader: the one named, else the first of the
 * driver `prefer` (the stored print's), else the first.  The timeout
 * starts here. */
static int
session_begin(struct session *s, struct store *st, const struct bio_opts *o,
    const char *prefer)
{
	const char *want = o != NULL && o->device != NULL ? o->device :
	    st->conf.fp_device;
	GPtrArray *devs;
	GError *e = NULL;
	guint i;
	static int logging_set;

	memset(s, 0, sizeof *s);
	/* GLib takes one writer per process, and a PAM host (a display
	 * manager) may have its own: the module leaves GLib's logging alone */
	if (!logging_set && !conv_active()) {
		g_log_writer_default_set_use_stderr(TRUE);
		g_log_set_writer_func(log_writer, NULL, NULL);
		logging_set = 1;
	}
	s->ctx = fp_context_new();
	devs = fp_context_get_devices(s->ctx);
	if ((want == NULL || want[0] == '\0') && prefer != NULL)
		want = prefer;
	for (i = 0; devs != NULL && i < devs->len && s->dev == NULL; i++) {
		FpDevice *d = g_ptr_array_index(devs, i);
		if (want == NULL || want[0] == '\0' ||
		    strcmp(fp_device_get_driver(d), want) == 0)
			s->dev = g_object_ref(d);
	}
	if (s->dev == NULL && want == prefer && devs != NULL && devs->len > 0)
		s->dev = g_object_ref(g_ptr_array_index(devs, 0));
	if (s->dev == NULL) {
		if (want != NULL && want[0] != '\0' && want != prefer)
			jerr_say(st->err, ST_FAIL,
			    _("no fingerprint reader found with driver %s"),
			    want);
		else
			jerr_say(st->err, ST_FAIL,
			    _("no fingerprint reader found"));
		session_end(s);
		return ST_FAIL;
	}
	s->cancel = g_cancellable_new();
	s->timer = g_timeout_add_seconds(st->conf.fp_timeout_seconds,
	    on_timeout, s);
	if (!fp_device_open_sync(s->dev, s->cancel, &e)) {
		jerr_say(st->err, ST_FAIL,
		    _("cannot open fingerprint reader %s: %s"),
		    fp_device_get_name(s->dev),
		    s->timed_out ? _("timed out") : e->message);
		g_error_free(e);
		session_end(s);
		return ST_FAIL;
	}
	s->notify = g_signal_connect(s->dev, "notify::finger-status",
	    G_CALLBACK(on_finger_status), s);
	return ST_OK;
}

/* Long: libfprint's open, claim, enrol, serialize, close, in order. */
int
fp_enrol(struct store *st, const char *id, const struct bio_opts *o,
    struct secret *out)
{
	const char *fname = o != NULL && o->finger != NULL ? o->finger :
	    "right-index-finger";
	struct session s;
	FpPrint *tmpl, *p;
	GError *e = NULL;
	guchar *data = NULL;
	gsize len = 0;
	int i, rc;

	out->p = NULL;
	out->len = 0;
	if ((rc = bio_finger_check(fname, st->err)) != ST_OK)
		return rc;
	i = finger_index(fname);
	if (fp_lib_open(st->err) != ST_OK)
		return ST_FAIL;
	if ((rc = session_begin(&s, st, o, NULL)) != ST_OK)
		return rc;
	fprintf(stderr, _("reader: %s (driver %s)\n"),
	    fp_device_get_name(s.dev), fp_device_get_driver(s.dev));
	s.enrolling = 1;
	s.finger = _(fingers[i].text);
	s.nstages = fp_device_get_nr_enroll_stages(s.dev);
	tmpl = fp_print_new(s.dev);
	g_object_ref_sink(tmpl);
	fp_print_set_finger(tmpl, FP_FINGER_FIRST + i);
	fp_print_set_username(tmpl, id);
	expect_finger(&s);
	p = fp_device_enroll_sync(s.dev, tmpl, s.cancel, on_progress, &s, &e);
	if (p == NULL) {
		if (s.timed_out) {
			jerr_say(st->err, ST_NO,
			    _("enrolment timed out after %lld s"),
			    st->conf.fp_timeout_seconds);
			rc = ST_NO;
		} else {
			jerr_say(st->err, ST_FAIL,
			    _("enrolment failed: %s"), e->message);
			rc = ST_FAIL;
		}
		g_error_free(e);
	} else if (!fp_print_serialize(p, &data, &len, &e)) {
		jerr_say(st->err, ST_FAIL,
		    _("cannot serialise the print: %s"), e->message);
		g_error_free(e);
		rc = ST_FAIL;
	} else {
		out->p = xmalloc(len);
		out->len = len;
		memcpy(out->p, data, len);
		wipe(data, len);
		g_free(data);
		fprintf(stderr, _("enrolled: %d of %d scans\n"), s.nstages,
		    s.nstages);
		rc = ST_OK;
	}
	if (p != NULL)
		g_object_unref(p);
	g_object_unref(tmpl);
	session_end(&s);
	return rc;
}

/*
 * Whether t is a print fp_print_deserialize can take without aborting the
 * process: the "FP3" magic, then the print's GVariant (in its normal
 * form, as libfprint reads it) whose data has the shape its print type
 * calls for, a variant for a raw print and "(a(aiaiai))" for an NBIS one,
 * as fp_print_serialize writes them.  libfprint checks the outer form
 * only and reaches into the data unchecked: data of another shape (a
 * print from another libfprint, damage under a valid seal) is a GLib
 * error, SIGTRAP, in the middle of a login.
 */
static int
print_parses(const struct secret *t)
{
	GVariant *v, *n, *c, *d;
	unsigned char *copy;
	int ok = 0;

	if (t->len <= 3 || memcmp(t->p, "FP3", 3) != 0)
		return 0;
	copy = xmalloc(t->len - 3);	/* aligned, as GVariant wants */
	memcpy(copy, t->p + 3, t->len - 3);
	v = g_variant_ref_sink(g_variant_new_from_data(
	    (const GVariantType *)"(issbymsmsia{sv}v)", copy, t->len - 3,
	    FALSE, NULL, NULL));
	n = g_variant_get_normal_form(v);
	c = g_variant_get_child_value(n, 0);
	ok = g_variant_get_int32(c);
	g_variant_unref(c);
	c = g_variant_get_child_value(n, 9);
	d = g_variant_get_variant(c);
	ok = (ok == 1 && g_variant_is_of_type(d, G_VARIANT_TYPE_VARIANT)) ||
	    (ok == 2 && g_variant_is_of_type(d, (const GVariantType *)"(a(aiaiai))"));
	g_variant_unref(d);
	g_variant_unref(c);
	g_variant_unref(n);
	g_variant_unref(v);
	explicit_bzero(copy, t->len - 3);
	free(copy);
	return ok;
}

/* s, or "?" for a value libfprint left unset */
static const char *
nz(const char *s)
{
	return s != NULL ? s : "?";
}

/* Long: libfprint's open, load, claim, verify, close, in order. */
int
fp_verify(struct store *st, const char *id, const struct bio_opts *o,
    const struct secret *t, const char **reason)
{
	struct session s;
	FpPrint *p;
	GError *e = NULL;
	gboolean match = FALSE;
	int rc;

	if (fp_lib_open(st->err) != ST_OK) {
		*reason = "no reader";
		return ST_FAIL;
	}
	if (!print_parses(t) ||
	    (p = fp_print_deserialize(t->p, t->len, &e)) == NULL) {
		jerr_say(st->err, ST_NO,
		    _("fingerprint template of %s is not a libfprint print%s%s"),
		    id, e != NULL ? ": " : "", e != NULL ? e->message : "");
		g_clear_error(&e);
		*reason = "template corrupt";
		return ST_NO;
	}
	if (g_object_is_floating(p))
		g_object_ref_sink(p);
	if ((rc = session_begin(&s, st, o, fp_print_get_driver(p))) != ST_OK) {
		*reason = "no reader";
		g_object_unref(p);
		return rc;
	}
	s.finger = _("finger");
	/* libfprint ties a print to the reader's driver and device id: a
	 * unit of the same kind may differ in its id alone, so both are said */
	if (!fp_print_compatible(p, s.dev)) {
		jerr_say(st->err, ST_FAIL,
		    _("fingerprint template of %s was enrolled on another reader "
		    "(%s, device %s), not this one (%s, device %s): re-enrol"), id,
		    fp_print_get_driver(p), nz(fp_print_get_device_id(p)),
		    fp_device_get_driver(s.dev), nz(fp_device_get_device_id(s.dev)));
		*reason = "template from another reader";
		g_object_unref(p);
		session_end(&s);
		return ST_FAIL;
	}
	for (;;) {
		expect_finger(&s);
		if (fp_device_verify_sync(s.dev, p, s.cancel, NULL, NULL,
		    &match, NULL, &e)) {
			rc = match ? ST_OK : ST_NO;
			*reason = match ? NULL : "no match";
			break;
		}
		if (e->domain == FP_DEVICE_RETRY && !s.timed_out) {
			say_retry(&s, e);
			g_clear_error(&e);
			continue;
		}
		if (s.timed_out) {
			jerr_say(st->err, ST_NO, _("no finger within %lld s"),
			    st->conf.fp_timeout_seconds);
			*reason = "timeout";
		} else {
			jerr_say(st->err, ST_NO, _("fingerprint reader: %s"),
			    e->message);
			*reason = e->domain == FP_DEVICE_ERROR &&
			    e->code == FP_DEVICE_ERROR_REMOVED ?
			    "device removed" : "device error";
		}
		g_clear_error(&e);
		rc = ST_NO;
		break;
	}
	g_object_unref(p);
	session_end(&s);
	return rc;
}
