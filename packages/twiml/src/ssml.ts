/** Helpers over `<Say>` content. */
import type { SsmlContent } from './ast';

/**
 * The words of SSML content, as a plain-text speech engine would read them: text in
 * order, `<sub>` replaced by its alias, whitespace collapsed. `<break>` becomes a space.
 */
export function ssmlPlainText(content: readonly SsmlContent[]): string {
  const parts: string[] = [];
  const walk = (items: readonly SsmlContent[]): void => {
    for (const item of items) {
      switch (item.kind) {
        case 'text':
          parts.push(item.value);
          break;
        case 'break':
          parts.push(' ');
          break;
        case 'sub':
          parts.push(item.attributes.alias);
          break;
        case 'phoneme':
        case 'say-as':
          parts.push(item.text ?? '');
          break;
        case 'p':
        case 's':
          parts.push(' ');
          walk(item.content);
          parts.push(' ');
          break;
        case 'emphasis':
        case 'lang':
        case 'prosody':
        case 'w':
          walk(item.content);
          break;
      }
    }
  };
  walk(content);
  return parts.join('').replace(/\s+/g, ' ').trim();
}
