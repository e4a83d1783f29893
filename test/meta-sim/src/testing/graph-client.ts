import type { BusinessRecord } from '../sim/types';

export interface GraphResult {
  status: number;
  json: Record<string, unknown>;
}

/** What a business's server does against Meta: bearer-token JSON requests to the Graph API. */
export class TestGraphClient {
  constructor(
    private readonly baseUrl: string,
    private readonly business: Pick<BusinessRecord, 'phoneNumberId' | 'accessToken'>,
    private readonly version = 'v21.0',
  ) {}

  post(edge: string, body: unknown, token = this.business.accessToken): Promise<GraphResult> {
    return this.send('POST', `/${this.business.phoneNumberId}/${edge}`, body, token);
  }

  get(pathAndQuery: string, token = this.business.accessToken): Promise<GraphResult> {
    return this.send('GET', `/${this.business.phoneNumberId}${pathAndQuery}`, undefined, token);
  }

  calls(body: Record<string, unknown>): Promise<GraphResult> {
    return this.post('calls', { messaging_product: 'whatsapp', ...body });
  }

  async send(
    method: string,
    path: string,
    body: unknown,
    token: string | null,
  ): Promise<GraphResult> {
    const response = await fetch(`${this.baseUrl}/${this.version}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
}

/** The `error` object of a Graph error response. */
export function graphError(result: GraphResult): {
  code: number;
  message: string;
  type: string;
  error_data?: { details: string };
} {
  return result.json.error as {
    code: number;
    message: string;
    type: string;
    error_data?: { details: string };
  };
}
