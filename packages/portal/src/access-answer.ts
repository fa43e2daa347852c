/**
 * What the portal shows of the collector's Art. 15 answer (`SubjectAccess` in @tillit/schema, which
 * the collector sends), written out so that the published .d.ts needs no @tillit/schema (and no zod),
 * as the SDK's types do. access-answer.test.ts fails to compile if the schema's answer stops fitting.
 */
export interface AccessAnswer {
  data: {
    events: {
      type: string;
      event: string | null;
      userId: string | null;
      /** ISO time of the event. */
      timestamp: string;
      properties?: Record<string, unknown>;
      traits?: Record<string, unknown>;
    }[];
    consentRecords: {
      purposes: Record<string, boolean>;
      policyVersion: string;
      /** `banner`, `portal`, `api`, `gpc` (others are shown as they are). */
      source: string;
      decidedAt: string;
    }[];
    identityLinks: unknown[];
  };
  /** The processing register the collector quotes (Art. 15(1)(a–h)). */
  processing: {
    controller: { name: string; contact: string };
    purposes: { purpose: string; description: string; legalBasis: string }[];
    categories: string[];
    recipients: string[];
    transfers: string[];
    rights: string[];
    supervisoryAuthority: { name: string; url: string };
    source: string;
    automatedDecisions: string;
    retention: { statement: string };
  };
}
