/**
 * `<Say>` text to the plain text espeak-ng reads. SSML is out of scope beyond plain text:
 * tags are removed (a `<break>` or the end of a paragraph/sentence keeps a pause as
 * punctuation), the five XML entities and numeric references are decoded, control
 * characters are dropped and whitespace is collapsed. espeak-ng is run without `-m`, so
 * whatever remains is never interpreted as markup.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (match, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X'
          ? parseInt(body.slice(2), 16)
          : parseInt(body.slice(1), 10);
      const valid = Number.isInteger(code) && code > 0 && code <= 0x10ffff;
      return valid && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? match;
  });
}

export function sayText(input: string): string {
  let text = input
    // Pauses that SSML expresses with tags become punctuation.
    .replace(/<\s*break\b[^<>]*>/gi, ', ')
    .replace(/<\s*\/\s*(?:p|s)\s*>/gi, '. ')
    // Every other tag, comment or processing instruction goes.
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[a-zA-Z/!?][^<>]*>/g, ' ');
  text = decodeEntities(text);
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return text.replace(/\s+/g, ' ').trim();
}
