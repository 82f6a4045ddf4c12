// The shape of a notification read back from a file another window (or an earlier run) wrote: the relay's outbox and
// the notices held in alerts.json. Validated, never trusted.
import * as z from 'zod/mini';
import { ALERT_KINDS, type AlertNotification } from './types';

const MAX_MESSAGE = 2_000;
const MAX_TARGETS = 500;

export const notificationSchema = z.object({
  kind: z.enum(ALERT_KINDS as [AlertNotification['kind'], ...AlertNotification['kind'][]]),
  severity: z.enum(['info', 'warning']),
  message: z.string().check(z.minLength(1), z.maxLength(MAX_MESSAGE)),
  targets: z.array(z.object({ accountId: z.string().check(z.maxLength(200)), meterId: z.string().check(z.maxLength(200)) })).check(z.maxLength(MAX_TARGETS)),
  grouped: z.boolean(),
  level: z.optional(z.number()),
  refill: z.optional(z.boolean()),
});

/** A notice held back by storm control, as kept in alerts.json. */
export const heldNotificationSchema = z.extend(notificationSchema, {
  accountName: z.string().check(z.maxLength(MAX_MESSAGE)),
  heldAt: z.number().check(z.refine(Number.isFinite)),
});
