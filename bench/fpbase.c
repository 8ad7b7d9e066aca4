/*
 * fpbase — the benchmark's baseline: libfprint alone, no jukisec.
 *   fpbase enrol FILE    open the first reader, enrol, write the print
 *   fpbase verify FILE   open the first reader, verify against FILE
 * Exit 0 enrolled / match, 1 no match, 3 error.  Built by
 * bench/30-fingerprint.sh; not part of the suite.
 */
#include <stdio.h>
#include <string.h>
#include <fprint.h>

int
main(int argc, char *argv[])
{
	FpContext *ctx;
	GPtrArray *devs;
	FpDevice *dev;
	FpPrint *p = NULL;
	GError *e = NULL;
	gchar *data = NULL;
	gsize len = 0;
	gboolean match = FALSE;
	int rc = 3;

	if (argc != 3)
		return 2;
	ctx = fp_context_new();
	devs = fp_context_get_devices(ctx);
	if (devs == NULL || devs->len == 0)
		return 3;
	dev = g_ptr_array_index(devs, 0);
	if (!fp_device_open_sync(dev, NULL, &e))
		goto out;
	if (strcmp(argv[1], "enrol") == 0) {
		FpPrint *t = g_object_ref_sink(fp_print_new(dev));

		p = fp_device_enroll_sync(dev, t, NULL, NULL, NULL, &e);
		g_object_unref(t);
		if (p != NULL && fp_print_serialize(p, (guchar **)&data, &len, &e) &&
		    g_file_set_contents(argv[2], data, len, &e))
			rc = 0;
	} else if (g_file_get_contents(argv[2], &data, &len, &e) &&
	    (p = fp_print_deserialize((guchar *)data, len, &e)) != NULL &&
	    fp_device_verify_sync(dev, p, NULL, NULL, NULL, &match, NULL, &e))
		rc = match ? 0 : 1;
	(void)fp_device_close_sync(dev, NULL, NULL);
out:
	if (e != NULL)
		fprintf(stderr, "fpbase: %s\n", e->message);
	g_clear_error(&e);
	g_free(data);
	if (p != NULL)
		g_object_unref(p);
	g_object_unref(ctx);
	return rc;
}
