/** What `provisionDemo` needs: the account's API credentials and where things are. */
export interface ProvisionOptions {
  /** Parley's REST API (call-control), e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  accountSid: string;
  authToken: string;
  /** The IVR's greeting URL, as Parley should call it (…/voice). */
  voiceUrl: string;
  /** The WhatsApp sender (`whatsapp:+E.164`) whose calls the IVR answers. */
  senderId: string;
  friendlyName?: string;
}

export interface ProvisionResult {
  applicationSid: string;
  senderSid: string;
  /** What changed: nothing on a second run with the same settings. */
  changes: string[];
}

interface Page<T> {
  [key: string]: unknown;
  next_page_uri?: string | null;
  senders?: T[];
  applications?: T[];
}

/**
 * Makes the IVR the sender's voice application, idempotently: an Application named
 * `friendlyName` with `voiceUrl` (created once, its URL corrected when it moved), set as the
 * sender's `voice_application_sid`. Plain REST calls, as any business would make them.
 */
export async function provisionDemo(options: ProvisionOptions): Promise<ProvisionResult> {
  const name = options.friendlyName ?? 'Parley demo IVR';
  const api = options.apiUrl.replace(/\/+$/, '');
  const auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const changes: string[] = [];

  async function call<T>(
    method: string,
    path: string,
    body?: { form?: Record<string, string>; json?: unknown },
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: auth };
    let payload: string | undefined;
    if (body?.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(body.form).toString();
    } else if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    const res = await fetch(`${api}${path}`, { method, headers, body: payload });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  const accountPath = `/2010-04-01/Accounts/${options.accountSid}`;
  const apps = await call<Page<{ sid: string; voice_url: string | null }>>(
    'GET',
    `${accountPath}/Applications.json?FriendlyName=${encodeURIComponent(name)}`,
  );
  const existing = apps.applications?.[0];
  let application: { sid: string; voice_url: string | null };
  if (existing === undefined) {
    application = await call('POST', `${accountPath}/Applications.json`, {
      form: { FriendlyName: name, VoiceUrl: options.voiceUrl, VoiceMethod: 'POST' },
    });
    changes.push(`created the application ${application.sid} (${options.voiceUrl})`);
  } else if (existing.voice_url !== options.voiceUrl) {
    application = await call('POST', `${accountPath}/Applications/${existing.sid}.json`, {
      form: { VoiceUrl: options.voiceUrl, VoiceMethod: 'POST' },
    });
    changes.push(`pointed the application ${application.sid} at ${options.voiceUrl}`);
  } else {
    application = existing;
  }

  let sender: { sid: string; configuration: { voice_application_sid: string | null } } | undefined;
  let path: string | null = '/v2/Channels/Senders?PageSize=1000';
  while (sender === undefined && path) {
    const page: Page<{
      sid: string;
      sender_id: string;
      configuration: { voice_application_sid: string | null };
    }> = await call('GET', path);
    sender = page.senders?.find((s) => s.sender_id === options.senderId);
    const next = (page.meta as { next_page_url?: string | null } | undefined)?.next_page_url;
    path = next ? new URL(next).pathname + new URL(next).search : null;
  }
  if (sender === undefined)
    throw new Error(`no WhatsApp sender ${options.senderId} in this account`);
  if (sender.configuration.voice_application_sid !== application.sid) {
    await call('POST', `/v2/Channels/Senders/${sender.sid}`, {
      json: { configuration: { voice_application_sid: application.sid } },
    });
    changes.push(`set ${application.sid} as the voice application of ${options.senderId}`);
  }
  return { applicationSid: application.sid, senderSid: sender.sid, changes };
}
