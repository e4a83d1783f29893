import { LANGUAGE_VOICES, POLLY_VOICES, mapVoice } from './voices';

describe('mapVoice', () => {
  it.each([
    [undefined, undefined, 'en-us'],
    ['man', 'en-US', 'en-us'],
    ['woman', 'en-GB', 'en-gb+f3'],
    ['alice', 'pt-BR', 'pt-br+f3'],
    [undefined, 'es-ES', 'es'],
    [undefined, 'es-MX', 'es-419'],
    [undefined, 'fr-FR', 'fr-fr'],
    [undefined, 'fr-CA', 'fr-fr'],
    [undefined, 'de-DE', 'de'],
    [undefined, 'it-IT', 'it'],
    [undefined, 'ja-JP', 'ja'],
    [undefined, 'zh-CN', 'cmn'],
    [undefined, 'nl_NL', 'nl'],
    ['Polly.Joanna', undefined, 'en-us+f3'],
    ['Polly.Matthew-Neural', 'fr-FR', 'en-us'],
    ['Polly.Camila-Neural', undefined, 'pt-br+f3'],
    ['polly.hans', undefined, 'de'],
    ['Polly.Lucia-Generative', undefined, 'es+f3'],
    ['Google.fr-FR-Wavenet-A', undefined, 'fr-fr'],
    ['Google.en-GB-Standard-B', 'de-DE', 'en-gb'],
  ])('voice %s language %s -> %s', (voice, language, expected) => {
    expect(mapVoice(voice, language).voice).toBe(expected);
  });

  it('falls back to the base language, then to en-us, never failing', () => {
    expect(mapVoice(undefined, 'de-LU').voice).toBe('de');
    expect(mapVoice(undefined, 'xx-YY')).toMatchObject({ voice: 'en-us', language: 'en-US' });
    expect(mapVoice('Polly.Nobody', 'it-IT').voice).toBe('it');
    expect(mapVoice('robot', '').voice).toBe('en-us');
    expect(mapVoice('Google.zz-ZZ-Standard-A', undefined).voice).toBe('en-us');
  });

  it('maps every Polly voice to a language in the table', () => {
    for (const [name, [language]] of Object.entries(POLLY_VOICES)) {
      const mapped = mapVoice(`Polly.${name}`);
      expect([name, mapped.language]).toEqual([name, language]);
    }
    expect(Object.values(LANGUAGE_VOICES)).toContain('en-us');
  });
});
