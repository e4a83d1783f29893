/**
 * TwiML `<Say voice language>` to an espeak-ng voice.
 *
 * - `voice`: `man`, `woman`, `alice`, `Polly.<Name>[-Neural|-Generative]` and
 *   `Google.<lang>-<REGION>-<Model>-<Letter>`. A Polly or Google voice brings its own
 *   language; `woman`, `alice` and female Polly voices get espeak-ng's female variant `+f3`.
 * - `language`: BCP 47 tags like `en-US`, `pt-BR`; matched exactly, then by base language.
 * - Anything unknown falls back to `en-us` (never an error: a prompt must not drop a call).
 */

export type Gender = 'female' | 'male';

export interface EspeakVoice {
  /** The argument for `espeak-ng -v`, e.g. `en-us+f3`. */
  voice: string;
  /** The espeak-ng voice without variant, e.g. `en-us`. */
  base: string;
  /** The BCP 47 language that was used for the choice. */
  language: string;
  gender: Gender | null;
}

export const DEFAULT_ESPEAK_VOICE = 'en-us';
export const FEMALE_VARIANT = 'f3';

/** BCP 47 (lower case) to espeak-ng voice names (as listed by `espeak-ng --voices`). */
export const LANGUAGE_VOICES: Readonly<Record<string, string>> = {
  'en-us': 'en-us',
  'en-ca': 'en-us',
  'en-gb': 'en-gb',
  'en-au': 'en-gb',
  'en-nz': 'en-gb',
  'en-ie': 'en-gb',
  'en-in': 'en-gb',
  'en-za': 'en-gb',
  'en-gb-wls': 'en-gb',
  en: 'en-us',
  'es-es': 'es',
  'es-mx': 'es-419',
  'es-us': 'es-419',
  'es-419': 'es-419',
  es: 'es',
  'pt-br': 'pt-br',
  'pt-pt': 'pt',
  pt: 'pt-br',
  'fr-fr': 'fr-fr',
  'fr-ca': 'fr-fr',
  'fr-be': 'fr-be',
  'fr-ch': 'fr-ch',
  fr: 'fr-fr',
  'de-de': 'de',
  'de-at': 'de',
  'de-ch': 'de',
  de: 'de',
  'it-it': 'it',
  it: 'it',
  'nl-nl': 'nl',
  'nl-be': 'nl',
  nl: 'nl',
  'ja-jp': 'ja',
  ja: 'ja',
  'ko-kr': 'ko',
  ko: 'ko',
  'zh-cn': 'cmn',
  'zh-tw': 'cmn',
  'cmn-cn': 'cmn',
  'zh-hk': 'yue',
  'yue-hk': 'yue',
  zh: 'cmn',
  'hi-in': 'hi',
  hi: 'hi',
  'ru-ru': 'ru',
  ru: 'ru',
  'pl-pl': 'pl',
  pl: 'pl',
  'sv-se': 'sv',
  sv: 'sv',
  'da-dk': 'da',
  da: 'da',
  'nb-no': 'nb',
  'no-no': 'nb',
  nb: 'nb',
  no: 'nb',
  'fi-fi': 'fi',
  fi: 'fi',
  'tr-tr': 'tr',
  tr: 'tr',
  'ar-ae': 'ar',
  'ar-sa': 'ar',
  'ar-eg': 'ar',
  arb: 'ar',
  ar: 'ar',
  'ca-es': 'ca',
  ca: 'ca',
  'cy-gb': 'cy',
  cy: 'cy',
  'is-is': 'is',
  is: 'is',
  'ro-ro': 'ro',
  ro: 'ro',
  'el-gr': 'el',
  el: 'el',
  'he-il': 'he',
  he: 'he',
  'id-id': 'id',
  id: 'id',
  'ms-my': 'ms',
  ms: 'ms',
  'th-th': 'th',
  th: 'th',
  'vi-vn': 'vi',
  vi: 'vi',
  'uk-ua': 'uk',
  uk: 'uk',
  'cs-cz': 'cs',
  cs: 'cs',
  'sk-sk': 'sk',
  sk: 'sk',
  'hu-hu': 'hu',
  hu: 'hu',
  'bg-bg': 'bg',
  bg: 'bg',
  'hr-hr': 'hr',
  hr: 'hr',
  'sr-rs': 'sr',
  sr: 'sr',
  'sl-si': 'sl',
  sl: 'sl',
  'et-ee': 'et',
  et: 'et',
  'lv-lv': 'lv',
  lv: 'lv',
  'lt-lt': 'lt',
  lt: 'lt',
  'ta-in': 'ta',
  ta: 'ta',
  'te-in': 'te',
  te: 'te',
  'bn-in': 'bn',
  bn: 'bn',
  'gu-in': 'gu',
  gu: 'gu',
  'mr-in': 'mr',
  mr: 'mr',
  'kn-in': 'kn',
  kn: 'kn',
  'ml-in': 'ml',
  ml: 'ml',
  'pa-in': 'pa',
  pa: 'pa',
  'ur-pk': 'ur',
  ur: 'ur',
  'fa-ir': 'fa',
  fa: 'fa',
  'af-za': 'af',
  af: 'af',
  'sw-ke': 'sw',
  sw: 'sw',
  'eu-es': 'eu',
  eu: 'eu',
  'ga-ie': 'ga',
  ga: 'ga',
};

/** Amazon Polly voices TwiML accepts: name -> [language, gender]. */
export const POLLY_VOICES: Readonly<Record<string, readonly [string, Gender]>> = {
  Joanna: ['en-US', 'female'],
  Salli: ['en-US', 'female'],
  Kimberly: ['en-US', 'female'],
  Kendra: ['en-US', 'female'],
  Ivy: ['en-US', 'female'],
  Ruth: ['en-US', 'female'],
  Danielle: ['en-US', 'female'],
  Matthew: ['en-US', 'male'],
  Joey: ['en-US', 'male'],
  Justin: ['en-US', 'male'],
  Kevin: ['en-US', 'male'],
  Stephen: ['en-US', 'male'],
  Gregory: ['en-US', 'male'],
  Amy: ['en-GB', 'female'],
  Emma: ['en-GB', 'female'],
  Brian: ['en-GB', 'male'],
  Arthur: ['en-GB', 'male'],
  Nicole: ['en-AU', 'female'],
  Olivia: ['en-AU', 'female'],
  Russell: ['en-AU', 'male'],
  Raveena: ['en-IN', 'female'],
  Aditi: ['en-IN', 'female'],
  Kajal: ['en-IN', 'female'],
  Geraint: ['cy-GB', 'male'],
  Gwyneth: ['cy-GB', 'female'],
  Conchita: ['es-ES', 'female'],
  Lucia: ['es-ES', 'female'],
  Enrique: ['es-ES', 'male'],
  Sergio: ['es-ES', 'male'],
  Mia: ['es-MX', 'female'],
  Andres: ['es-MX', 'male'],
  Lupe: ['es-US', 'female'],
  Penelope: ['es-US', 'female'],
  Miguel: ['es-US', 'male'],
  Pedro: ['es-US', 'male'],
  Camila: ['pt-BR', 'female'],
  Vitoria: ['pt-BR', 'female'],
  Ricardo: ['pt-BR', 'male'],
  Thiago: ['pt-BR', 'male'],
  Ines: ['pt-PT', 'female'],
  Cristiano: ['pt-PT', 'male'],
  Celine: ['fr-FR', 'female'],
  Lea: ['fr-FR', 'female'],
  Mathieu: ['fr-FR', 'male'],
  Remi: ['fr-FR', 'male'],
  Chantal: ['fr-CA', 'female'],
  Gabrielle: ['fr-CA', 'female'],
  Liam: ['fr-CA', 'male'],
  Marlene: ['de-DE', 'female'],
  Vicki: ['de-DE', 'female'],
  Hans: ['de-DE', 'male'],
  Daniel: ['de-DE', 'male'],
  Hannah: ['de-AT', 'female'],
  Carla: ['it-IT', 'female'],
  Bianca: ['it-IT', 'female'],
  Giorgio: ['it-IT', 'male'],
  Adriano: ['it-IT', 'male'],
  Lotte: ['nl-NL', 'female'],
  Laura: ['nl-NL', 'female'],
  Ruben: ['nl-NL', 'male'],
  Mizuki: ['ja-JP', 'female'],
  Kazuha: ['ja-JP', 'female'],
  Tomoko: ['ja-JP', 'female'],
  Takumi: ['ja-JP', 'male'],
  Seoyeon: ['ko-KR', 'female'],
  Zhiyu: ['cmn-CN', 'female'],
  Hiujin: ['yue-HK', 'female'],
  Tatyana: ['ru-RU', 'female'],
  Maxim: ['ru-RU', 'male'],
  Ewa: ['pl-PL', 'female'],
  Maja: ['pl-PL', 'female'],
  Ola: ['pl-PL', 'female'],
  Jacek: ['pl-PL', 'male'],
  Jan: ['pl-PL', 'male'],
  Astrid: ['sv-SE', 'female'],
  Elin: ['sv-SE', 'female'],
  Naja: ['da-DK', 'female'],
  Sofie: ['da-DK', 'female'],
  Mads: ['da-DK', 'male'],
  Liv: ['nb-NO', 'female'],
  Ida: ['nb-NO', 'female'],
  Suvi: ['fi-FI', 'female'],
  Filiz: ['tr-TR', 'female'],
  Burcu: ['tr-TR', 'female'],
  Zeina: ['arb', 'female'],
  Hala: ['ar-AE', 'female'],
  Zayd: ['ar-AE', 'male'],
  Carmen: ['ro-RO', 'female'],
  Dora: ['is-IS', 'female'],
  Karl: ['is-IS', 'male'],
  Arlet: ['ca-ES', 'female'],
};

function languageVoice(language: string): string | null {
  const tag = language.trim().toLowerCase().replace(/_/g, '-');
  if (!tag) return null;
  const exact = LANGUAGE_VOICES[tag];
  if (exact) return exact;
  const base = tag.split('-')[0] ?? '';
  return LANGUAGE_VOICES[base] ?? null;
}

interface VoiceHint {
  language: string | null;
  gender: Gender | null;
}

function voiceHint(voice: string | undefined): VoiceHint {
  const v = (voice ?? '').trim();
  const lower = v.toLowerCase();
  if (lower === 'woman' || lower === 'alice') return { language: null, gender: 'female' };
  if (lower === 'man') return { language: null, gender: 'male' };
  const polly = /^polly\.([a-z]+)(?:-(?:neural|generative|long-form))?$/i.exec(v);
  if (polly?.[1]) {
    const name = polly[1].charAt(0).toUpperCase() + polly[1].slice(1).toLowerCase();
    const known = POLLY_VOICES[name];
    return known ? { language: known[0], gender: known[1] } : { language: null, gender: null };
  }
  const google = /^google\.([a-z]{2,3}-[a-z]{2,3})-/i.exec(v);
  if (google?.[1]) return { language: google[1], gender: null };
  return { language: null, gender: null };
}

/** Chooses the espeak-ng voice for TwiML's `voice` and `language` attributes. */
export function mapVoice(voice?: string, language?: string): EspeakVoice {
  const hint = voiceHint(voice);
  // A named Polly/Google voice speaks its own language; otherwise `language` decides.
  const candidates = [hint.language, language ?? null, 'en-US'];
  let base = DEFAULT_ESPEAK_VOICE;
  let chosenLanguage = 'en-US';
  for (const candidate of candidates) {
    if (!candidate) continue;
    const mapped = languageVoice(candidate);
    if (mapped) {
      base = mapped;
      chosenLanguage = candidate;
      break;
    }
  }
  const variant = hint.gender === 'female' ? `+${FEMALE_VARIANT}` : '';
  return { voice: `${base}${variant}`, base, language: chosenLanguage, gender: hint.gender };
}
