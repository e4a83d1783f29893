import { sayText } from './text';

describe('sayText', () => {
  it('keeps plain text, collapsing whitespace', () => {
    expect(sayText('  Hello,\n\tworld!  ')).toBe('Hello, world!');
  });

  it('strips SSML tags and keeps pauses as punctuation', () => {
    expect(
      sayText(
        '<speak><p>Welcome</p><break time="1s"/><prosody rate="slow">to Parley</prosody></speak>',
      ),
    ).toBe('Welcome. , to Parley');
    expect(sayText('<!-- hidden --><say-as interpret-as="digits">123</say-as>')).toBe('123');
  });

  it('decodes XML entities without reintroducing markup', () => {
    expect(sayText('Fish &amp; chips &lt;b&gt; &#65;&#x42; &nbsp;x')).toBe('Fish & chips <b> AB x');
    expect(sayText('bad &#xD800; ref &unknown; ok')).toBe('bad ref &unknown; ok');
  });

  it('keeps text comparisons that are not tags and removes control characters', () => {
    expect(sayText('1 < 2 and 3 > 2')).toBe('1 < 2 and 3 > 2');
    expect(sayText('a\u0000b\u0007c\u001bd')).toBe('a b c d');
  });

  it('can end up empty', () => {
    expect(sayText('<break/>  <p></p>')).toBe(', .');
    expect(sayText('<speak/>')).toBe('');
  });
});
