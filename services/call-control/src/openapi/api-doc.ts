import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiParam,
  ApiQuery,
  ApiResponse,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import {
  extendZodWithOpenApi,
  OpenApiGeneratorV3,
  OpenAPIRegistry,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// The registry names schemas through zod's `.openapi()`, which this adds.
extendZodWithOpenApi(z);

/**
 * The documented schemas (resources answered and request bodies), by name; each feature
 * registers its own next to their definition, and the OpenAPI document's components are
 * generated from them by @asteasolutions/zod-to-openapi.
 */
const API_REGISTRY = new OpenAPIRegistry();
const COMPONENT_NAMES = new WeakMap<z.ZodTypeAny, string>();

export function registerComponent<S extends z.ZodTypeAny>(name: string, schema: S): S {
  API_REGISTRY.register(name, schema);
  COMPONENT_NAMES.set(schema, name);
  return schema;
}

/** The OpenAPI 3.0 component schemas of everything registered. */
export function componentSchemas(): Record<string, SchemaObject | ReferenceObject> {
  const generated = new OpenApiGeneratorV3(API_REGISTRY.definitions).generateComponents();
  return (generated.components?.schemas ?? {}) as Record<string, SchemaObject | ReferenceObject>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A reference to a registered schema; an unregistered one is a bug found at start-up. */
function refTo(schema: z.ZodTypeAny): { $ref: string } {
  const name = COMPONENT_NAMES.get(schema);
  if (name === undefined)
    throw new Error('A request schema must be registered with registerComponent to be documented');
  return ref(name);
}

const PARAM_DESCRIPTIONS: Record<string, string> = {
  AccountSid: 'The account (AC...) the resources belong to; it must be the authenticated account.',
  Sid: 'The resource sid.',
  CallSid: 'The call (CA...).',
};

/** A query schema: an object of fields, or one whose output a transform reshapes. */
type QueryObject = z.ZodObject<z.ZodRawShape, z.UnknownKeysParam>;
export type QuerySchema = QueryObject | z.ZodEffects<QueryObject, unknown, unknown>;

/** One query parameter's OpenAPI schema, generated from its zod field (what it takes as input). */
function parameterSchema(field: z.ZodTypeAny): SchemaObject | ReferenceObject {
  const registry = new OpenAPIRegistry();
  registry.register('Parameter', field);
  const generated = new OpenApiGeneratorV3(registry.definitions).generateComponents();
  return (generated.components?.schemas?.Parameter ?? { type: 'string' }) as
    SchemaObject | ReferenceObject;
}

export interface ApiDocOptions {
  params?: string[];
  /** The query string: the zod schema the endpoint parses it with. */
  query?: QuerySchema;
  /** Form fields (Twilio 2010 API) or a JSON body (v2 API): a registered schema. */
  form?: z.ZodTypeAny;
  json?: z.ZodTypeAny;
  /** Component name of the single resource answered. */
  response?: string;
  /** A list page: the component of its records and the key they are under. */
  list?: { component: string; key: string; style: '2010' | 'v2' };
  status?: number;
  noContent?: boolean;
}

/**
 * One decorator per route for the OpenAPI document: path and query parameters, the body
 * (a reference to its registered zod schema), the success answer and Twilio's error body for failures.
 */
export function ApiDoc(opts: ApiDocOptions): MethodDecorator {
  const decorators: (MethodDecorator | ClassDecorator)[] = [];
  for (const name of opts.params ?? []) {
    decorators.push(
      ApiParam({
        name,
        required: true,
        description: PARAM_DESCRIPTIONS[name] ?? name,
        schema: { type: 'string' },
      }),
    );
  }
  if (opts.query) {
    const object = opts.query instanceof z.ZodEffects ? opts.query.innerType() : opts.query;
    for (const [name, field] of Object.entries(object.shape)) {
      if (opts.params?.includes(name)) continue;
      decorators.push(
        ApiQuery({
          name,
          required: !field.isOptional(),
          description: field.description ?? name,
          schema: parameterSchema(field),
        }),
      );
    }
  }
  if (opts.form) {
    decorators.push(ApiConsumes('application/x-www-form-urlencoded'));
    decorators.push(ApiBody({ schema: refTo(opts.form) }));
  }
  if (opts.json) {
    decorators.push(ApiConsumes('application/json'));
    decorators.push(ApiBody({ schema: refTo(opts.json) }));
  }
  const status = opts.status ?? 200;
  if (opts.noContent) decorators.push(ApiResponse({ status: 204, description: 'Deleted' }));
  if (opts.response) decorators.push(ApiResponse({ status, schema: ref(opts.response) }));
  if (opts.list) {
    const paging: Record<string, SchemaObject | ReferenceObject> =
      opts.list.style === '2010'
        ? {
            first_page_uri: { type: 'string' },
            next_page_uri: { type: 'string', nullable: true },
            previous_page_uri: { type: 'string', nullable: true },
            uri: { type: 'string' },
            page: { type: 'integer' },
            page_size: { type: 'integer' },
            start: { type: 'integer' },
            end: { type: 'integer' },
          }
        : { meta: ref('V2PageMeta') };
    decorators.push(
      ApiResponse({
        status,
        schema: {
          type: 'object',
          properties: {
            [opts.list.key]: { type: 'array', items: ref(opts.list.component) },
            ...paging,
          },
        },
      }),
    );
  }
  for (const failure of [400, 401, 404]) {
    decorators.push(ApiResponse({ status: failure, schema: ref('Error') }));
  }
  return applyDecorators(...decorators);
}
