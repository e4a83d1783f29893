import { parseJsonBody } from '../common/twilio-form';
import { contentProblem, renderContent } from './content-rules';
import { ContentCreateBody, normalizeContentBody } from './content.schemas';

const requestTemplate = {
  friendly_name: 'voice_call_request',
  language: 'en',
  types: {
    'twilio/call-to-action': {
      body: 'test',
      actions: [{ type: 'VOICE_CALL_REQUEST', title: 'Call Request' }],
    },
  },
};

const cardTemplate = {
  friendly_name: 'voice_call_test',
  language: 'en',
  variables: { '1': 'name' },
  types: {
    'twilio/card': {
      title: 'Hello {{1}} let’s continue on a call.',
      actions: [{ title: 'Call now', type: 'VOICE_CALL' }],
    },
  },
};

function problemOf(body: unknown): string {
  try {
    parseJsonBody(ContentCreateBody, body);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('content rules (seed 001)', () => {
  it('accepts the two templates of the seed as written, normalized as Twilio answers them', () => {
    expect(parseJsonBody(ContentCreateBody, requestTemplate)).toEqual({
      friendly_name: 'voice_call_request',
      language: 'en',
      variables: {},
      types: {
        'twilio/call-to-action': {
          body: 'test',
          actions: [{ type: 'VOICE_CALL_REQUEST', title: 'Call Request' }],
        },
      },
    });
    expect(parseJsonBody(ContentCreateBody, cardTemplate).types['twilio/card']).toEqual({
      title: 'Hello {{1}} let’s continue on a call.',
      subtitle: null,
      body: null,
      media: null,
      actions: [{ type: 'VOICE_CALL', title: 'Call now' }],
    });
  });

  it.each([
    [
      'VOICE_CALL_REQUEST with another button',
      {
        ...requestTemplate,
        types: {
          'twilio/call-to-action': {
            body: 'test',
            actions: [
              { type: 'VOICE_CALL_REQUEST', title: 'Call Request' },
              { type: 'VOICE_CALL', title: 'Call now' },
            ],
          },
        },
      },
      /VOICE_CALL_REQUEST action must be the only call-to-action button/,
    ],
    [
      'a call-to-action without body',
      {
        ...requestTemplate,
        types: {
          'twilio/call-to-action': { actions: [{ type: 'VOICE_CALL_REQUEST', title: 'x' }] },
        },
      },
      /body.*required/,
    ],
    [
      'a VOICE_CALL_REQUEST without title',
      {
        ...requestTemplate,
        types: {
          'twilio/call-to-action': { body: 'test', actions: [{ type: 'VOICE_CALL_REQUEST' }] },
        },
      },
      /title.*required/,
    ],
    [
      'VOICE_CALL_REQUEST in a card',
      {
        ...cardTemplate,
        types: {
          'twilio/card': {
            title: 'Hi {{1}}',
            actions: [{ type: 'VOICE_CALL_REQUEST', title: 'x' }],
          },
        },
      },
      /only allowed in twilio\/call-to-action/,
    ],
    [
      'two VOICE_CALL buttons',
      {
        ...cardTemplate,
        types: {
          'twilio/card': {
            title: 'Hi {{1}}',
            actions: [
              { type: 'VOICE_CALL', title: 'a' },
              { type: 'VOICE_CALL', title: 'b' },
            ],
          },
        },
      },
      /at most one VOICE_CALL/,
    ],
    [
      'an undeclared placeholder',
      { ...cardTemplate, variables: {} },
      /placeholder \{\{1\}\} is not declared in variables/,
    ],
    [
      'a named placeholder',
      {
        ...cardTemplate,
        types: { 'twilio/text': { body: 'Hi {{name}}' } },
      },
      /must be a number like \{\{1\}\}/,
    ],
    [
      'a type Parley does not send',
      { ...requestTemplate, types: { 'twilio/media': {} } },
      /not supported/,
    ],
    ['no type at all', { ...requestTemplate, types: {} }, /at least one of/],
    [
      'an unsupported action type',
      {
        ...requestTemplate,
        types: { 'twilio/call-to-action': { body: 'x', actions: [{ type: 'URL', title: 'x' }] } },
      },
      /action type "URL" is not supported/,
    ],
    ['no language', { types: requestTemplate.types }, /language/],
    [
      'a voice button title over 20 characters',
      {
        ...cardTemplate,
        types: {
          'twilio/card': {
            title: 'Hi {{1}}',
            actions: [{ type: 'VOICE_CALL', title: 'x'.repeat(21) }],
          },
        },
      },
      /at most 20 characters/,
    ],
  ])('refuses %s', (_name, body, message) => {
    expect(problemOf(body)).toMatch(message);
  });

  it("reads the SDK's camelCase spelling as Twilio's", () => {
    const sdkBody = {
      friendlyName: 'voice_call_request',
      language: 'en',
      types: { twilioCallToAction: requestTemplate.types['twilio/call-to-action'] },
    };
    expect(parseJsonBody(ContentCreateBody, normalizeContentBody(sdkBody))).toEqual(
      parseJsonBody(ContentCreateBody, requestTemplate),
    );
  });

  it('answers a broken rule with Twilio code 20001', () => {
    expect.assertions(1);
    try {
      parseJsonBody(ContentCreateBody, { ...requestTemplate, types: {} });
    } catch (error) {
      expect((error as { code: number }).code).toBe(20001);
    }
  });

  it('needs more than a title on a card', () => {
    expect(
      contentProblem({
        variables: {},
        types: {
          'twilio/card': { title: 'Hi', subtitle: null, body: null, media: null, actions: [] },
        },
      }),
    ).toMatch(/at least one additional field/);
  });
});

describe('rendering content as a WhatsApp session message', () => {
  it('makes a VOICE_CALL_REQUEST template an interactive call_permission_request (body and title ignored)', () => {
    const parsed = parseJsonBody(ContentCreateBody, requestTemplate);
    expect(renderContent(parsed, {})).toEqual({
      ok: true,
      value: {
        message: {
          type: 'interactive',
          interactive: {
            type: 'call_permission_request',
            action: { name: 'call_permission_request' },
          },
        },
        body: 'test',
        isPermissionRequest: true,
      },
    });
  });

  it('makes a card with a VOICE_CALL button an interactive voice_call, variables filled', () => {
    const parsed = parseJsonBody(ContentCreateBody, cardTemplate);
    const rendered = renderContent(parsed, { '1': 'Ana' });
    expect(rendered).toEqual({
      ok: true,
      value: {
        message: {
          type: 'interactive',
          interactive: {
            type: 'voice_call',
            body: { text: 'Hello Ana let’s continue on a call.' },
            action: { name: 'voice_call', parameters: { display_text: 'Call now' } },
          },
        },
        body: 'Hello Ana let’s continue on a call.',
        isPermissionRequest: false,
      },
    });
    // Without a value, the sample value of the content is used.
    expect(renderContent(parsed, {})).toMatchObject({
      value: { body: 'Hello name let’s continue on a call.' },
    });
  });

  it('sends twilio/text as text, refusing a body over 1600 characters once filled', () => {
    const content = { variables: { '1': 'x' }, types: { 'twilio/text': { body: 'Hi {{1}}' } } };
    expect(renderContent(content, { '1': 'Bo' })).toMatchObject({
      ok: true,
      value: { message: { type: 'text', text: { body: 'Hi Bo' } } },
    });
    expect(renderContent(content, { '1': 'y'.repeat(1600) })).toMatchObject({ ok: false });
  });
});
