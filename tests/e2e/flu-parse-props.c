/* flu-parse-props: stands in for gst-launch-1.0 in tests.  It parses its
 * arguments exactly as gst-launch-1.0 does (gst_parse_launchv, after the
 * options -e and -v), does not run the pipeline, and prints every
 * readable string property of every element, one per line:
 *   ELEMENT-FACTORY.PROPERTY=<hex bytes of the value>
 * so a test can check what each element received, byte for byte.  Exit
 * status 1 when the description does not parse. */

#include <gst/gst.h>
#include <string.h>

static void
print_props (GstElement * e)
{
  GstElementFactory *f = gst_element_get_factory (e);
  guint n, i;
  GParamSpec **specs =
      g_object_class_list_properties (G_OBJECT_GET_CLASS (e), &n);

  for (i = 0; i < n; i++) {
    gchar *s = NULL;
    const gchar *p;

    if (specs[i]->value_type != G_TYPE_STRING ||
        !(specs[i]->flags & G_PARAM_READABLE))
      continue;
    g_object_get (e, specs[i]->name, &s, NULL);
    if (s == NULL)
      continue;
    g_print ("%s.%s=", f ? GST_OBJECT_NAME (f) : "?", specs[i]->name);
    for (p = s; *p; p++)
      g_print ("%02x", (guint8) * p);
    g_print ("\n");
    g_free (s);
  }
  g_free (specs);
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GstElement *pipe;
  GstIterator *it;
  GValue v = G_VALUE_INIT;
  int first = 1;

  gst_init (&argc, &argv);
  while (first < argc && argv[first][0] == '-' &&
      (strcmp (argv[first], "-e") == 0 || strcmp (argv[first], "-v") == 0))
    first++;
  pipe = gst_parse_launchv ((const gchar **) argv + first, &err);
  if (pipe == NULL || err) {
    g_printerr ("parse error: %s\n", err ? err->message : "?");
    return 1;
  }
  if (GST_IS_BIN (pipe)) {
    it = gst_bin_iterate_recurse (GST_BIN (pipe));
    while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
      print_props (g_value_get_object (&v));
      g_value_reset (&v);
    }
    gst_iterator_free (it);
  } else {
    print_props (pipe);
  }
  gst_object_unref (pipe);
  return 0;
}
