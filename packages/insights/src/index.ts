/**
 * @tillit/insights: pure analyses over consented Segment-spec events. Every function takes an
 * iterable of events in timestamp order and options, reads each event through the consent gate of
 * its purpose, and returns numbers with a count of what it left out and why. No I/O, no clock.
 */
export {
  type AttributionModel,
  type AttributionOptions,
  type AttributionResult,
  ATTRIBUTION_MODELS,
  attribution,
  type ChannelCredit,
} from './attribution.js';
export { basket, type AssociationRule, type BasketOptions, type BasketResult } from './basket.js';
export { type Channel, type ChannelRules, channelOf, DEFAULT_CHANNEL_RULES } from './channels.js';
export {
  bgNbdLogLikelihood,
  type BgNbdFit,
  type BgNbdParams,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  type RfmTriple,
} from './cltv/bgnbd.js';
export { cltv, type CltvOptions, type CltvResult, type CustomerValue } from './cltv/cltv.js';
export {
  expectedSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaFit,
  type GammaGammaParams,
} from './cltv/gamma-gamma.js';
export { cltvHoldout, type HoldoutOptions, type HoldoutResult } from './cltv/holdout.js';
export type { CustomerSummary, TimeUnit } from './cltv/summary.js';
export { type CohortOptions, type CohortRow, cohorts, type CohortsResult } from './cohorts.js';
export { personOf, stitchIdentities } from './identity.js';
export { journeys, type JourneysOptions, type JourneysResult } from './journeys.js';
export { type Minimum, type MinimizeOptions, minimize } from './math/nelder-mead.js';
export { nps, type NpsOptions, type NpsResult, type NpsScore, npsScore } from './nps.js';
export { DEFAULT_CONVERSION_EVENTS, FEEDBACK_EVENT, type Order, readOrder } from './orders.js';
export { DEFAULT_LOOKBACK_DAYS, type PathOptions } from './paths.js';
export {
  type CustomerSegment,
  quintileScores,
  SEGMENT_RULES,
  segmentOf,
  type SegmentOptions,
  segments,
  type SegmentsResult,
} from './rfm.js';
export { consentReason } from './scan.js';
export type {
  AnalysisPurpose,
  Coverage,
  EventSource,
  ExclusionReason,
  IdentityMap,
  InsightEvent,
  PeopleList,
  PersonOptions,
  ScanOptions,
} from './types.js';
export {
  type Product,
  SIMULATED_CATALOGUE,
  type ShopSimulation,
  type ShopSimulationOptions,
  type SimulatedConsent,
  simulateShop,
} from './simulate-shop.js';
export { simulateBgNbd, simulateGammaGamma } from './cltv/simulate.js';
export { seededRandom } from './math/random.js';
