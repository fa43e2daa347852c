/** What the visitor reads about one purpose in the preferences dialog. */
export interface PurposeText {
  title?: string;
  description?: string;
  /** Who receives the data, e.g. "This site only" or "Google Ireland Ltd." */
  recipients?: string;
  /** How long it is kept, e.g. "13 months". */
  retention?: string;
}

/**
 * Every text the banner shows. `{policy}` and `{portal}` in `body` become links (plain text when
 * no URL is configured); `{purpose}` in `blocked` is the purpose's title.
 */
export interface Texts {
  title: string;
  body: string;
  policy: string;
  portal: string;
  accept: string;
  reject: string;
  choose: string;
  prefsTitle: string;
  prefsIntro: string;
  save: string;
  close: string;
  necessary: string;
  necessaryText: string;
  alwaysOn: string;
  recipients: string;
  retention: string;
  blocked: string;
  load: string;
  settings: string;
  purposes: Record<string, PurposeText>;
}

export const en: Texts = {
  title: 'Your privacy choices',
  body: 'We would like to use cookies and similar technologies to measure how this site is used and for marketing. Nothing beyond what the site needs to work is stored until you agree. Read more in our {policy}. You can change your mind at any time here or in the {portal}.',
  policy: 'privacy policy',
  portal: 'privacy portal',
  accept: 'Accept all',
  reject: 'Reject all',
  choose: 'Choose',
  prefsTitle: 'Privacy preferences',
  prefsIntro: 'Choose what you allow. Nothing is on until you turn it on, and you can change it at any time.',
  save: 'Save choices',
  close: 'Close',
  necessary: 'Necessary',
  necessaryText: 'Needed for the site to work and to remember your choice.',
  alwaysOn: 'Always on',
  recipients: 'Recipients',
  retention: 'Kept for',
  blocked: 'This content is blocked until you allow {purpose}.',
  load: 'Load this',
  settings: 'Privacy settings',
  purposes: {
    analytics: { title: 'Analytics', description: 'Statistics on how the site is used, so that we can improve it.' },
    marketing: {
      title: 'Marketing',
      description: 'Lets us and our advertising partners show relevant ads and measure campaigns.',
    },
    personalization: { title: 'Personalisation', description: 'Remembers your preferences to tailor what you see.' },
  },
};

export const sv: Texts = {
  title: 'Dina integritetsval',
  body: 'Vi vill använda kakor och liknande tekniker för att mäta hur webbplatsen används och för marknadsföring. Inget utöver det som webbplatsen behöver för att fungera sparas förrän du godkänner. Läs mer i vår {policy}. Du kan ändra dig när som helst här eller i {portal}.',
  policy: 'integritetspolicy',
  portal: 'integritetsportalen',
  accept: 'Godkänn alla',
  reject: 'Avvisa alla',
  choose: 'Välj själv',
  prefsTitle: 'Inställningar för integritet',
  prefsIntro: 'Välj vad du tillåter. Inget är på förrän du slår på det, och du kan ändra dig när som helst.',
  save: 'Spara val',
  close: 'Stäng',
  necessary: 'Nödvändiga',
  necessaryText: 'Behövs för att webbplatsen ska fungera och för att minnas ditt val.',
  alwaysOn: 'Alltid på',
  recipients: 'Mottagare',
  retention: 'Sparas i',
  blocked: 'Innehållet är blockerat tills du tillåter {purpose}.',
  load: 'Ladda innehållet',
  settings: 'Integritetsinställningar',
  purposes: {
    analytics: { title: 'Statistik', description: 'Statistik över hur webbplatsen används, så att vi kan förbättra den.' },
    marketing: {
      title: 'Marknadsföring',
      description: 'Låter oss och våra annonspartner visa relevanta annonser och mäta kampanjer.',
    },
    personalization: { title: 'Anpassning', description: 'Minns dina val för att anpassa det du ser.' },
  },
};

/** `sv`, `sv-SE`, `sv_FI` → Swedish; anything else falls back to English unless the site supplies texts for it. */
export function languageOf(lang: string | undefined): string {
  return (lang || 'en').toLowerCase().split(/[-_]/)[0] || 'en';
}

/** The built-in texts of a language merged with the site's overrides (purpose by purpose). */
export function textsFor(
  lang: string,
  overrides: Record<string, Partial<Texts>> = {},
  purposes: Record<string, PurposeText> = {},
): Texts {
  const base = lang === 'sv' ? sv : en;
  const own = overrides[lang] ?? {};
  const merged: Record<string, PurposeText> = {};
  for (const p of Object.keys({ ...base.purposes, ...purposes, ...own.purposes })) {
    merged[p] = { ...base.purposes[p], ...purposes[p], ...own.purposes?.[p] };
  }
  return { ...base, ...own, purposes: merged };
}
