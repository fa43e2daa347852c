import { z } from 'zod';

export const RejectedEvent = z.object({
  index: z.number().int().min(0),
  messageId: z.string().nullable(),
  reason: z.string(),
});

/** `200` answer to `POST /v1/batch`. The client deletes accepted, duplicate and rejected events. */
export const BatchResponse = z.object({
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  rejected: z.array(RejectedEvent),
});

/** `201` answer to `POST /v1/consent`. */
export const ConsentReceipt = z.object({ receiptId: z.string() });

/** Every non-2xx answer of the collector. */
export const ErrorResponse = z.looseObject({ error: z.string(), reason: z.string() });

export type RejectedEvent = z.infer<typeof RejectedEvent>;
export type BatchResponse = z.infer<typeof BatchResponse>;
export type ConsentReceipt = z.infer<typeof ConsentReceipt>;
export type ErrorResponse = z.infer<typeof ErrorResponse>;
