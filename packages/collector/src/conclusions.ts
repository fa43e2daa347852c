/**
 * "What we concluded about you" (Art. 15(1)(h), Art. 13(2)(f)): the visitor's RFM segment, CLTV band
 * and churn risk where the per-person analyses produce them, each with how it was computed, what it is
 * used for and the consent it rests on, and whether the visitor objects (Art. 21) or restricts (Art. 18).
 * Computed on request like every insight (nothing derived is stored, so erasure needs no extra step).
 */
import type { CustomerSegment, CustomerValue } from '@tillit/insights';
import { csvCell } from './csv.js';
import type { CollectorDeps } from './deps.js';
import { runInsight } from './insights-run.js';
import type { SubjectRef, SubjectRows } from './store.js';

type Texts = { en: string; sv: string };

export interface Conclusion {
  kind: 'segment' | 'cltv' | 'churnRisk';
  /** The segment's name, the band (low, medium, high) or the risk in percent. */
  value: string;
  /** What it is and its value, as the portal shows them. */
  label: Texts;
  shown: Texts;
  how: Texts;
  use: Texts;
}

/**
 * The portal section's words, sent with the answer: they belong with the computation they describe,
 * and keep the portal's script within its budget (it only lays them out).
 */
export const SECTION_TEXTS = {
  en: {
    title: 'What we concluded about you',
    basis: 'This rests on your consent to personalization of {time}.',
    nothing: 'Nothing has been concluded about you.',
    objectionOn: 'You object to profiling: nothing is concluded about you.',
    restrictionOn: 'You have restricted processing: your data is only kept, not used.',
    objection: 'Object to profiling (Art. 21)',
    objectionHelp: 'Takes you out of segments and scores at once. Switch it off to allow them again.',
    restriction: 'Restrict processing (Art. 18)',
    restrictionHelp: 'Your data is kept but not used for any analysis until you switch this off.',
  },
  sv: {
    title: 'Vad vi har dragit för slutsatser om dig',
    basis: 'Detta bygger på ditt samtycke till personanpassning från {time}.',
    nothing: 'Inga slutsatser har dragits om dig.',
    objectionOn: 'Du invänder mot profilering: inga slutsatser dras om dig.',
    restrictionOn: 'Du har begränsat behandlingen: dina uppgifter sparas bara, de används inte.',
    objection: 'Invänd mot profilering (art. 21)',
    objectionHelp: 'Tar genast bort dig från segment och poäng. Slå av för att tillåta dem igen.',
    restriction: 'Begränsa behandlingen (art. 18)',
    restrictionHelp: 'Dina uppgifter sparas men används inte i någon analys förrän du slår av detta.',
  },
};

const LABEL: Record<Conclusion['kind'], Texts> = {
  segment: { en: 'Customer segment', sv: 'Kundsegment' },
  cltv: { en: 'Expected value as a customer', sv: 'Förväntat värde som kund' },
  churnRisk: { en: 'Risk that you stop buying', sv: 'Risk att du slutar handla' },
};
const BAND: Record<string, Texts> = {
  low: { en: 'low', sv: 'lågt' },
  medium: { en: 'medium', sv: 'medel' },
  high: { en: 'high', sv: 'högt' },
};

export interface Conclusions {
  /** The rights in force for this visitor now. */
  objection: boolean;
  restriction: boolean;
  /** The consent the results rest on: the latest decision granting personalization, or null. */
  basis: { purpose: 'personalization'; decidedAt: string } | null;
  /** Why there are none, when there are none. */
  none: 'objection' | 'restriction' | 'no_consent' | 'no_purchases' | null;
  results: Conclusion[];
  texts: typeof SECTION_TEXTS;
}

const USE: Texts = {
  en: 'Used to choose which offers and messages groups of customers get; no decision with legal or similar effect is made from it.',
  sv: 'Används för att välja vilka erbjudanden och meddelanden grupper av kunder får; inget beslut med rättslig eller liknande verkan fattas utifrån det.',
};
const HOW: Record<Conclusion['kind'], Texts> = {
  segment: {
    en: 'From how recently, how often and how much you bought, each scored 1–5 against the shop’s other customers, then named by a fixed table.',
    sv: 'Utifrån hur nyligen, hur ofta och hur mycket du har köpt, var och en poängsatt 1–5 mot butikens övriga kunder och namngiven enligt en fast tabell.',
  },
  cltv: {
    en: 'Your expected purchases and spend over the next year, predicted from your purchase history by statistical models (BG/NBD, Gamma-Gamma) fitted on all customers, compared with other customers.',
    sv: 'Dina förväntade köp och utgifter det kommande året, förutsagda från din köphistorik med statistiska modeller (BG/NBD, Gamma-Gamma) anpassade på alla kunder, jämfört med andra kunder.',
  },
  churnRisk: {
    en: 'The chance that you no longer buy here, from the same model: one minus the probability that you are still an active customer.',
    sv: 'Sannolikheten att du inte längre handlar här, från samma modell: ett minus sannolikheten att du fortfarande är aktiv kund.',
  },
};

/** The band of a value among all values: the top fifth high, the bottom two fifths low. */
export function band(value: number, all: readonly number[]): 'low' | 'medium' | 'high' {
  const below = all.filter((v) => v < value).length / Math.max(1, all.length);
  return below >= 0.8 ? 'high' : below >= 0.4 ? 'medium' : 'low';
}

/** Who the visitor is to the insights: their own id, and the users their anonymous id is proven to be. */
function people(ref: SubjectRef, rows: SubjectRows): Set<string> {
  const ids = new Set([ref.id]);
  for (const link of rows.links) if (link.proven) ids.add(link.userId);
  return ids;
}

function basisOf(rows: SubjectRows): Conclusions['basis'] {
  const granted = rows.consent
    .filter((c) => (JSON.parse(c.purposes) as Record<string, boolean>).personalization === true)
    .map((c) => c.decidedAt)
    .sort();
  return granted.length ? { purpose: 'personalization', decidedAt: granted.at(-1)! } : null;
}

export async function conclusionsFor(
  deps: Pick<CollectorDeps, 'store' | 'hashOf' | 'config'>,
  ref: SubjectRef,
): Promise<Conclusions> {
  const { store, hashOf, config } = deps;
  const hash = hashOf(ref.site, ref.kind, ref.id);
  const rows = await store.readSubject(ref, hash);
  const mine = (await store.listProcessingLimits(ref.site)).filter((l) => l.subjectHash === hash);
  const objection = mine.some((l) => l.right === 'objection');
  const restriction = mine.some((l) => l.right === 'restriction');
  const basis = basisOf(rows);
  const base = { objection, restriction, basis, results: [] as Conclusion[], texts: SECTION_TEXTS };
  if (restriction) return { ...base, none: 'restriction' };
  if (objection) return { ...base, none: 'objection' };
  const insightDeps = { store, hashOf, serverSidePurposes: config.serverSidePurposes };
  const [seg, value] = await Promise.all([
    runInsight(insightDeps, ref.site, 'segments', {}) as Promise<{ customers: CustomerSegment[] }>,
    runInsight(insightDeps, ref.site, 'cltv', {}) as Promise<{ customers: CustomerValue[] }>,
  ]);
  const ids = people(ref, rows);
  const s = seg.customers.find((c) => ids.has(c.person));
  const v = value.customers.find((c) => ids.has(c.person));
  const results: Conclusion[] = [];
  const add = (kind: Conclusion['kind'], value: string) =>
    results.push({ kind, value, label: LABEL[kind], shown: BAND[value] ?? { en: value, sv: value }, how: HOW[kind], use: USE });
  if (s) add('segment', s.segment);
  // No band when the model could not predict (a degenerate fit leaves cltv null).
  if (v?.cltv != null)
    add(
      'cltv',
      band(
        v.cltv,
        value.customers.flatMap((c) => (c.cltv === null ? [] : [c.cltv])),
      ),
    );
  if (s?.churnRisk != null) add('churnRisk', `${Math.round(s.churnRisk * 100)} %`);
  const none = results.length ? null : basis ? 'no_purchases' : 'no_consent';
  return { ...base, none, results };
}

/** The conclusions as rows of the export's CSV table (same eight columns as `answerToCsv`), without its header. */
export function conclusionsCsv(c: Conclusions): string {
  const rows: unknown[][] = [
    ...c.results.map((r) => ['derived', '', '', r.kind, r.value, '', '', { how: r.how.en, use: r.use.en, basis: c.basis }]),
    ['processing_limits', '', '', '', '', '', '', { objection: c.objection, restriction: c.restriction, none: c.none }],
  ];
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
