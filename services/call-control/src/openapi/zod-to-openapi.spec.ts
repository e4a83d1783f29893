import { z } from 'zod';
import { zodToOpenApi } from './zod-to-openapi';

describe('zodToOpenApi', () => {
  it('converts objects with required, optional, nullable and described fields', () => {
    const schema = z.object({
      sid: z
        .string()
        .regex(/^CA[0-9a-f]{32}$/)
        .describe('The call sid'),
      duration: z.string().nullable(),
      status: z.enum(['queued', 'completed']),
      count: z.number().int().min(0),
      tags: z.array(z.string()).optional(),
      url: z.string().url(),
      kind: z.literal('x'),
      meta: z.record(z.string(), z.string()),
      flag: z.boolean().default(false),
      either: z.union([z.string(), z.number()]),
      nothing: z.null(),
    });
    expect(zodToOpenApi(schema)).toEqual({
      type: 'object',
      properties: {
        sid: { type: 'string', pattern: '^CA[0-9a-f]{32}$', description: 'The call sid' },
        duration: { type: 'string', nullable: true },
        status: { type: 'string', enum: ['queued', 'completed'] },
        count: { type: 'integer', minimum: 0 },
        tags: { type: 'array', items: { type: 'string' } },
        url: { type: 'string', format: 'uri' },
        kind: { type: 'string', enum: ['x'] },
        meta: { type: 'object', additionalProperties: { type: 'string' } },
        flag: { type: 'boolean', default: false },
        either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
        nothing: { nullable: true, enum: [null] },
      },
      required: ['sid', 'duration', 'status', 'count', 'url', 'kind', 'meta', 'either', 'nothing'],
    });
  });
});
