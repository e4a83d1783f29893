import { BSUID_PATTERN } from '@parley/contracts';

export interface SanctionList {
  /** Digit prefixes of E.164 numbers (country calling code, then region where it tells). */
  callingCodes: readonly string[];
  /** ISO 3166 alpha-2 countries, for users known only by a BSUID. */
  bsuidCountries: readonly string[];
}

/** The sanctioned prefix or country a `whatsapp:` address falls under, or null. */
export function sanctionedMatch(address: string, list: SanctionList): string | null {
  const id = address.replace(/^whatsapp:/, '');
  if (BSUID_PATTERN.test(id)) {
    const country = id.slice(0, 2);
    return list.bsuidCountries.includes(country) ? country : null;
  }
  const digits = id.replace(/^\+/, '');
  // The longest matching prefix names the most precise region.
  const matches = list.callingCodes.filter((prefix) => digits.startsWith(prefix));
  return matches.sort((a, b) => b.length - a.length)[0] ?? null;
}
