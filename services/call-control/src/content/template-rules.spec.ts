import { type ContentTypes } from './content-rules';
import { contentToTemplate, metaLanguage, templateMessage } from './template-rules';

const card = {
  language: 'en',
  variables: { '1': 'name' },
  types: {
    'twilio/card': {
      title: 'Hello {{1}} let’s continue on a call.',
      subtitle: null,
      body: null,
      media: null,
      actions: [{ type: 'VOICE_CALL' as const, title: 'Call now' }],
    },
  },
};
const utility = { name: 'voice_call_test', category: 'UTILITY', allowCategoryChange: true };

function text(body: string, variables: Record<string, string> = {}) {
  return { language: 'en', variables, types: { 'twilio/text': { body } } as ContentTypes };
}

function ruleOf(result: ReturnType<typeof contentToTemplate>): string {
  return result.ok ? 'accepted' : result.error.rule;
}

describe('Content -> WhatsApp message template', () => {
  it("converts the seed's card: body with its example, the voice call button", () => {
    expect(contentToTemplate(card, utility)).toEqual({
      ok: true,
      contentType: 'twilio/card',
      template: {
        name: 'voice_call_test',
        language: 'en',
        category: 'UTILITY',
        allow_category_change: true,
        components: [
          {
            type: 'BODY',
            text: 'Hello {{1}} let’s continue on a call.',
            example: { body_text: [['name']] },
          },
          { type: 'BUTTONS', buttons: [{ type: 'VOICE_CALL', text: 'Call now' }] },
        ],
      },
    });
  });

  it("puts a card's body after its title and its subtitle in the footer", () => {
    const result = contentToTemplate(
      {
        language: 'pt-BR',
        variables: { '1': 'Ana', '2': '10:00' },
        types: {
          'twilio/card': {
            title: 'Hi {{1}}, your appointment',
            subtitle: 'Acme clinic',
            body: 'is today at {{2}} in the clinic.',
            media: null,
            actions: [],
          },
        },
      },
      { ...utility, allowCategoryChange: false },
    );
    expect(result).toMatchObject({
      ok: true,
      template: {
        language: 'pt_BR',
        allow_category_change: false,
        components: [
          {
            type: 'BODY',
            text: 'Hi {{1}}, your appointment\n\nis today at {{2}} in the clinic.',
            example: { body_text: [['Ana', '10:00']] },
          },
          { type: 'FOOTER', text: 'Acme clinic' },
        ],
      },
    });
  });

  it('sends a text without placeholders with no example', () => {
    const result = contentToTemplate(text('Your order has shipped.'), utility);
    expect(result.ok && result.template.components).toEqual([
      { type: 'BODY', text: 'Your order has shipped.' },
    ]);
  });

  it.each([
    ['a name with capitals', card, { ...utility, name: 'Voice_call' }, 'name'],
    ['a name with a space', card, { ...utility, name: 'voice call' }, 'name'],
    ['a name over 512', card, { ...utility, name: 'a'.repeat(513) }, 'name'],
    ['an empty name', card, { ...utility, name: '' }, 'name'],
    ['an unknown category', card, { ...utility, category: 'TRANSACTIONAL' }, 'category'],
    [
      'AUTHENTICATION without an OTP button',
      card,
      { ...utility, category: 'AUTHENTICATION' },
      'category',
    ],
    [
      'a VOICE_CALL_REQUEST',
      {
        language: 'en',
        variables: {},
        types: {
          'twilio/call-to-action': {
            body: 'test',
            actions: [{ type: 'VOICE_CALL_REQUEST' as const, title: 'Call Request' }],
          },
        },
      },
      utility,
      'voice-call-request',
    ],
    [
      'a body starting with a placeholder',
      text('{{1}} your order is here', { '1': 'a' }),
      utility,
      'variable-at-start',
    ],
    [
      'a body ending with a placeholder',
      text('Your order is {{1}}.', { '1': 'a' }),
      utility,
      'variable-at-end',
    ],
    [
      'adjacent placeholders',
      text('Hi {{1}} {{2}} your order is here', { '1': 'a', '2': 'b' }),
      utility,
      'adjacent-variables',
    ],
    [
      'a gap in the numbers',
      text('Hi {{2}} your order is here', { '2': 'a' }),
      utility,
      'variable-sequence',
    ],
    [
      'too many placeholders for the text',
      text('Hi {{1}}, {{2}} ok', { '1': 'a', '2': 'b' }),
      utility,
      'variable-ratio',
    ],
    ['a body over 1024', text('x'.repeat(1025)), utility, 'body'],
    [
      'a placeholder in the footer',
      {
        ...card,
        types: { 'twilio/card': { ...card.types['twilio/card'], subtitle: 'for {{1}}' } },
      },
      utility,
      'footer',
    ],
    [
      'two voice call buttons',
      {
        ...card,
        types: {
          'twilio/card': {
            ...card.types['twilio/card'],
            actions: [
              { type: 'VOICE_CALL' as const, title: 'a' },
              { type: 'VOICE_CALL' as const, title: 'b' },
            ],
          },
        },
      },
      utility,
      'button-kinds',
    ],
  ])('refuses %s, naming the rule', (_name, content, request, rule) => {
    expect(ruleOf(contentToTemplate(content, request))).toBe(rule);
  });

  it('writes languages as Meta does', () => {
    expect(metaLanguage('pt-BR')).toBe('pt_BR');
    expect(metaLanguage('en')).toBe('en');
  });
});

describe('sending an approved template', () => {
  it('fills the body parameters from the values, else the samples', () => {
    expect(templateMessage(card, 'voice_call_test', { '1': 'Ana' })).toEqual({
      type: 'template',
      template: {
        name: 'voice_call_test',
        language: { code: 'en' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }],
      },
    });
    expect(templateMessage(card, 'voice_call_test', {})).toMatchObject({
      template: { components: [{ parameters: [{ text: 'name' }] }] },
    });
  });

  it('sends no components for a body without placeholders', () => {
    expect(templateMessage(text('Your order has shipped.'), 'shipped', {})).toEqual({
      type: 'template',
      template: { name: 'shipped', language: { code: 'en' } },
    });
  });
});
