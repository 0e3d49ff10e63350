/* fluswitch policy unit tests: liveness, choice, reasons, offsets. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "fluswitchpolicy.h"

#define MS (G_GUINT64_CONSTANT (1000000))
#define TIMEOUT (1000 * MS)
#define RECOVERY (2000 * MS)

GST_START_TEST (test_liveness)
{
  FluSwitchPadState s;
  guint64 t;

  flu_switch_pad_state_init (&s, 0, 0, 0);
  fail_unless (s.alive);
  /* a pad that never delivers dies after timeout */
  fail_if (flu_switch_pad_state_check (&s, TIMEOUT, TIMEOUT));
  fail_unless (flu_switch_pad_state_check (&s, TIMEOUT + 1, TIMEOUT));
  fail_if (s.alive);
  /* dies only once */
  fail_if (flu_switch_pad_state_check (&s, TIMEOUT + 2, TIMEOUT));

  /* steady data for recovery makes it alive again */
  for (t = 5000 * MS; t < 5000 * MS + RECOVERY; t += 40 * MS)
    fail_if (flu_switch_pad_state_data (&s, t, TIMEOUT, RECOVERY));
  fail_unless (flu_switch_pad_state_data (&s, t, TIMEOUT, RECOVERY));
  fail_unless (s.alive);

  /* data every 40 ms keeps it alive */
  for (t += 40 * MS; t < 20000 * MS; t += 40 * MS) {
    flu_switch_pad_state_data (&s, t, TIMEOUT, RECOVERY);
    fail_if (flu_switch_pad_state_check (&s, t + 20 * MS, TIMEOUT));
  }
}

GST_END_TEST;

GST_START_TEST (test_recovery_needs_steady_data)
{
  FluSwitchPadState s;
  guint64 t = 0;

  flu_switch_pad_state_init (&s, 0, 0, 0);
  flu_switch_pad_state_data (&s, 0, TIMEOUT, RECOVERY);
  fail_unless (flu_switch_pad_state_check (&s, 2 * TIMEOUT, TIMEOUT));
  /* data in bursts with gaps longer than timeout never recovers */
  for (t = 3 * TIMEOUT; t < 30 * TIMEOUT; t += 2 * TIMEOUT) {
    fail_if (flu_switch_pad_state_data (&s, t, TIMEOUT, RECOVERY));
    fail_if (flu_switch_pad_state_data (&s, t + 500 * MS, TIMEOUT, RECOVERY));
  }
  fail_if (s.alive);
  /* recovery 0: alive at the first buffer */
  fail_unless (flu_switch_pad_state_data (&s, t + 5 * TIMEOUT, TIMEOUT, 0));
}

GST_END_TEST;

GST_START_TEST (test_eos)
{
  FluSwitchPadState s;

  flu_switch_pad_state_init (&s, 0, 0, 0);
  flu_switch_pad_state_eos (&s);
  fail_if (s.alive);
  fail_if (flu_switch_pad_state_data (&s, 10 * TIMEOUT, TIMEOUT, 0));
  fail_if (s.alive);
}

GST_END_TEST;

GST_START_TEST (test_choose)
{
  FluSwitchPadState a, b, c;
  FluSwitchPadState *all[3] = { &a, &b, &c };

  flu_switch_pad_state_init (&a, 0, 0, 0);
  flu_switch_pad_state_init (&b, 1, 1, 0);
  flu_switch_pad_state_init (&c, 1, 2, 0);
  fail_unless_equals_int (flu_switch_policy_choose (all, 3, 0, TIMEOUT), 0);
  a.alive = FALSE;
  /* ties: the earlier requested */
  fail_unless_equals_int (flu_switch_policy_choose (all, 3, 0, TIMEOUT), 1);
  c.priority = 0;
  fail_unless_equals_int (flu_switch_policy_choose (all, 3, 0, TIMEOUT), 2);
  b.alive = c.alive = FALSE;
  /* nothing alive, nothing receiving */
  fail_unless_equals_int (flu_switch_policy_choose (all, 3, 0, TIMEOUT), -1);
  /* nothing alive: the best receiving pad */
  flu_switch_pad_state_data (&b, 100 * MS, TIMEOUT, RECOVERY);
  fail_if (b.alive);
  fail_unless_equals_int (flu_switch_policy_choose (all, 3, 200 * MS,
          TIMEOUT), 1);
  fail_unless_equals_int (flu_switch_policy_choose (all, 3, 100 * MS
          + TIMEOUT + 1, TIMEOUT), -1);
}

GST_END_TEST;

GST_START_TEST (test_reason_and_keyframes)
{
  FluSwitchPadState a;

  flu_switch_pad_state_init (&a, 0, 0, 0);
  fail_unless_equals_int (flu_switch_policy_reason (NULL, FALSE, FALSE,
          FALSE), FLU_SWITCH_REASON_NONE);
  fail_unless_equals_int (flu_switch_policy_reason (NULL, FALSE, FALSE,
          TRUE), FLU_SWITCH_REASON_RELEASED);
  fail_unless_equals_int (flu_switch_policy_reason (&a, FALSE, FALSE,
          FALSE), FLU_SWITCH_REASON_RECOVERED);
  fail_unless_equals_int (flu_switch_policy_reason (&a, TRUE, FALSE,
          FALSE), FLU_SWITCH_REASON_MANUAL);
  fail_unless_equals_int (flu_switch_policy_reason (&a, FALSE, TRUE,
          FALSE), FLU_SWITCH_REASON_FOLLOW);
  a.alive = FALSE;
  fail_unless_equals_int (flu_switch_policy_reason (&a, FALSE, FALSE,
          FALSE), FLU_SWITCH_REASON_TIMEOUT);
  flu_switch_pad_state_eos (&a);
  fail_unless_equals_int (flu_switch_policy_reason (&a, FALSE, FALSE,
          FALSE), FLU_SWITCH_REASON_EOS);
  fail_unless_equals_string (flu_switch_reason_nick
      (FLU_SWITCH_REASON_TIMEOUT), "timeout");

  fail_unless (flu_switch_policy_can_switch (FALSE, TRUE, FALSE));
  fail_unless (flu_switch_policy_can_switch (TRUE, FALSE, FALSE));
  fail_if (flu_switch_policy_can_switch (TRUE, TRUE, FALSE));
  fail_if (flu_switch_policy_can_switch (TRUE, FALSE, TRUE));
}

GST_END_TEST;

GST_START_TEST (test_offset)
{
  /* nothing out yet: running time as is */
  fail_unless_equals_uint64 (flu_switch_policy_offset (FALSE, 0, 5), 0);
  /* a pad ahead (live, aligned): no shift, the gap is real */
  fail_unless_equals_uint64 (flu_switch_policy_offset (TRUE, 10, 20), 0);
  /* a pad behind (restarted timeline): shifted to the output's end */
  fail_unless_equals_uint64 (flu_switch_policy_offset (TRUE, 100, 30), 70);
}

GST_END_TEST;

static Suite *
switch_policy_suite (void)
{
  Suite *s = suite_create ("switch_policy");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_liveness);
  tcase_add_test (tc, test_recovery_needs_steady_data);
  tcase_add_test (tc, test_eos);
  tcase_add_test (tc, test_choose);
  tcase_add_test (tc, test_reason_and_keyframes);
  tcase_add_test (tc, test_offset);
  return s;
}

GST_CHECK_MAIN (switch_policy);
