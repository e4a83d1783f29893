import { ParleyError } from '@parley/contracts';
import { z } from 'zod';
import {
  booleanValue,
  caseInsensitiveValue,
  firstValue,
  formField,
  formFields,
  integerValue,
  isHttpUrl,
  listValues,
  parseForm,
  parseJsonBody,
  twilioIssue,
} from './twilio-form';

function errorOf(run: () => unknown): { code: number; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ParleyError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a ParleyError');
}

describe('Twilio form encoding', () => {
  it('takes the first value of a repeated key, trimmed, and treats blank as absent', () => {
    expect(firstValue(' a ')).toBe('a');
    expect(firstValue(['b', 'c'])).toBe('b');
    expect(firstValue('   ')).toBeUndefined();
    expect(firstValue(undefined)).toBeUndefined();
    expect(firstValue(['', 'x'])).toBeUndefined();
  });

  it('lists repeated keys and space- or comma-separated values', () => {
    expect(listValues(['ringing answered', 'completed'])).toEqual([
      'ringing',
      'answered',
      'completed',
    ]);
    expect(listValues('initiated,ringing')).toEqual(['initiated', 'ringing']);
    expect(listValues(undefined)).toEqual([]);
  });

  it('reads booleans, integers and case-insensitive choices, passing anything else through', () => {
    expect(booleanValue('TRUE')).toBe(true);
    expect(booleanValue('false')).toBe(false);
    expect(booleanValue('yes')).toBe('yes');
    expect(integerValue('42')).toBe(42);
    expect(integerValue('-3')).toBe(-3);
    expect(integerValue('4.5')).toBe('4.5');
    expect(caseInsensitiveValue('DUAL', ['mono', 'dual'])).toBe('dual');
    expect(caseInsensitiveValue('stereo', ['mono', 'dual'])).toBe('stereo');
  });

  it('accepts only absolute http(s) URLs of at most 4 kB', () => {
    expect(isHttpUrl('https://example.com/a')).toBe(true);
    expect(isHttpUrl('ftp://example.com/a')).toBe(false);
    expect(isHttpUrl('not a url')).toBe(false);
    expect(isHttpUrl(`https://example.com/${'a'.repeat(4096)}`)).toBe(false);
  });

  it('treats a body that is not an object as no fields', () => {
    expect(formFields(undefined)).toEqual({});
    expect(formFields(['x'])).toEqual({});
    expect(formFields({ To: 'x' })).toEqual({ To: 'x' });
  });
});

describe('form schemas', () => {
  const Form = z
    .object({
      To: formField.required(21201, "A 'To' phone number is required."),
      Url: formField.url('Url'),
      Method: formField.method('Method'),
      Channels: formField.oneOf('Channels', ['mono', 'dual']),
      Timeout: formField.int('Timeout', 1, 600),
      Record: formField.bool('Record'),
      Name: formField.text('Name', 4),
      Events: formField.enumList('Events', ['ringing', 'answered']),
    })
    .superRefine((form, ctx) => {
      if (form.Url === undefined) twilioIssue(ctx, 21205, 'Url is required');
    });

  it('parses a Twilio form into typed values', () => {
    expect(
      parseForm(Form, {
        To: ' whatsapp:+14155550100 ',
        Url: 'https://example.com/twiml',
        Method: 'get',
        Channels: 'Dual',
        Timeout: '30',
        Record: 'True',
        Name: 'abcd',
        Events: ['Ringing', 'answered'],
      }),
    ).toEqual({
      To: 'whatsapp:+14155550100',
      Url: 'https://example.com/twiml',
      Method: 'GET',
      Channels: 'dual',
      Timeout: 30,
      Record: true,
      Name: 'abcd',
      Events: ['ringing', 'answered'],
    });
  });

  it("answers the first problem with Twilio's code and message", () => {
    const ok = { To: 'x', Url: 'https://example.com' };
    expect(errorOf(() => parseForm(Form, {}))).toEqual({
      code: 21201,
      message: "A 'To' phone number is required.",
    });
    expect(errorOf(() => parseForm(Form, { ...ok, Url: 'nope' }))).toEqual({
      code: 21205,
      message: 'Url is not a valid URL: nope',
    });
    expect(errorOf(() => parseForm(Form, { ...ok, Method: 'PUT' }))).toEqual({
      code: 20001,
      message: 'Method must be GET or POST',
    });
    expect(errorOf(() => parseForm(Form, { ...ok, Channels: 'stereo' }))).toEqual({
      code: 20001,
      message: 'Channels must be one of mono, dual',
    });
    for (const Timeout of ['0', '601', 'ten', '1.5', '99999999999999999999'])
      expect(errorOf(() => parseForm(Form, { ...ok, Timeout }))).toEqual({
        code: 20001,
        message: 'Timeout must be an integer from 1 to 600',
      });
    expect(errorOf(() => parseForm(Form, { ...ok, Record: 'yes' }))).toEqual({
      code: 20001,
      message: 'Record must be true or false',
    });
    expect(errorOf(() => parseForm(Form, { ...ok, Name: 'abcde' }))).toEqual({
      code: 20001,
      message: 'Name must be at most 4 characters',
    });
    expect(errorOf(() => parseForm(Form, { ...ok, Events: 'ringing hangup' }))).toEqual({
      code: 20001,
      message: 'Events must be among ringing, answered, got "hangup"',
    });
    expect(errorOf(() => parseForm(Form, { To: 'x' }))).toEqual({
      code: 21205,
      message: 'Url is required',
    });
  });

  it('names the field of a JSON body problem unless the field has its own error', () => {
    const Body = z.object({
      name: z.string(),
      id: z.string().superRefine((id, ctx) => {
        if (!/^\d+$/.test(id)) twilioIssue(ctx, 21212, 'id must be digits');
      }),
    });
    expect(errorOf(() => parseJsonBody(Body, { id: '1' }))).toEqual({
      code: 20001,
      message: 'Invalid name: Required',
    });
    expect(errorOf(() => parseJsonBody(Body, { name: 'n', id: 'x' }))).toEqual({
      code: 21212,
      message: 'id must be digits',
    });
    expect(parseJsonBody(Body, { name: 'n', id: '7' })).toEqual({ name: 'n', id: '7' });
  });
});
