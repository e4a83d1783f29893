import { z } from 'zod';

/** An OpenAPI 3.0 schema object (the subset produced here). */
export interface OpenApiSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  format?: string;
  description?: string;
  enum?: unknown[];
  nullable?: boolean;
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  additionalProperties?: boolean | OpenApiSchema;
  oneOf?: OpenApiSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
}

/**
 * The OpenAPI 3.0 form of the zod schemas the service documents its resources with, so
 * the document and the types of the serializers come from one definition.
 */
export function zodToOpenApi(schema: z.ZodTypeAny): OpenApiSchema {
  const out = convert(schema);
  return schema.description ? { ...out, description: schema.description } : out;
}

function convert(schema: z.ZodTypeAny): OpenApiSchema {
  if (schema instanceof z.ZodOptional) return zodToOpenApi(schema.unwrap() as z.ZodTypeAny);
  if (schema instanceof z.ZodNullable)
    return { ...zodToOpenApi(schema.unwrap() as z.ZodTypeAny), nullable: true };
  if (schema instanceof z.ZodDefault)
    return {
      ...zodToOpenApi(schema.removeDefault() as z.ZodTypeAny),
      default: schema._def.defaultValue() as unknown,
    };
  if (schema instanceof z.ZodEffects) return zodToOpenApi(schema.innerType() as z.ZodTypeAny);
  if (schema instanceof z.ZodBranded) return zodToOpenApi(schema.unwrap() as z.ZodTypeAny);
  if (schema instanceof z.ZodString) {
    const out: OpenApiSchema = { type: 'string' };
    for (const check of schema._def.checks) {
      if (check.kind === 'url') out.format = 'uri';
      else if (check.kind === 'datetime') out.format = 'date-time';
      else if (check.kind === 'regex') out.pattern = check.regex.source;
      else if (check.kind === 'min') out.minLength = check.value;
      else if (check.kind === 'max') out.maxLength = check.value;
    }
    return out;
  }
  if (schema instanceof z.ZodNumber) {
    const out: OpenApiSchema = { type: schema.isInt ? 'integer' : 'number' };
    if (schema.minValue !== null) out.minimum = schema.minValue;
    if (schema.maxValue !== null) out.maximum = schema.maxValue;
    return out;
  }
  if (schema instanceof z.ZodBoolean) return { type: 'boolean' };
  // OpenAPI 3.0 has no null type: a value that is always null.
  if (schema instanceof z.ZodNull) return { nullable: true, enum: [null] };
  if (schema instanceof z.ZodEnum)
    return { type: 'string', enum: [...(schema.options as string[])] };
  if (schema instanceof z.ZodLiteral) {
    const value = schema.value as unknown;
    return {
      type:
        typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string',
      enum: [value],
    };
  }
  if (schema instanceof z.ZodArray)
    return { type: 'array', items: zodToOpenApi(schema.element as z.ZodTypeAny) };
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodTypeAny>;
    const properties: Record<string, OpenApiSchema> = {};
    const required: string[] = [];
    for (const [key, value] of Object.entries(shape)) {
      properties[key] = zodToOpenApi(value);
      if (!value.isOptional()) required.push(key);
    }
    return { type: 'object', properties, ...(required.length ? { required } : {}) };
  }
  if (schema instanceof z.ZodRecord)
    return {
      type: 'object',
      additionalProperties: zodToOpenApi(schema.valueSchema as z.ZodTypeAny),
    };
  if (schema instanceof z.ZodUnion)
    return { oneOf: (schema.options as z.ZodTypeAny[]).map(zodToOpenApi) };
  return {};
}
