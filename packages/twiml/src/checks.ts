/**
 * Rules that involve more than one attribute or child, which the schema table cannot say
 * on its own. Each runs once its element is complete.
 */
import type { NodeByKind, StreamNoun } from './ast';
import { isWhatsAppAddress, type NumberCheck } from './schema/attributes';
import type { NodeKind } from './schema/elements';

export interface CheckReporter {
  /** Rejects the document with a 12200 at the element. Never returns. */
  error(message: string): never;
  warn(message: string): void;
  /** How strictly WhatsApp numbers are checked in this parse. */
  readonly numberCheck: NumberCheck;
}

type Check<K extends NodeKind> = (node: NodeByKind[K], report: CheckReporter) => void;
export type Checks = { readonly [K in NodeKind]?: Check<K> };

function requireStreamUrl(stream: StreamNoun, verb: string, report: CheckReporter): void {
  if (stream.attributes.url === undefined || stream.attributes.url.trim() === '') {
    report.error(`<Stream> in <${verb}> requires a url attribute`);
  }
}

export const CHECKS: Checks = {
  Say(node, report) {
    const empty = node.content.every((c) => c.kind === 'text' && c.value.trim() === '');
    if (empty) report.error('<Say> requires text to speak');
  },
  Play(node, report) {
    if (node.url === undefined && node.attributes.digits === undefined) {
      report.error('<Play> requires a media URL or a digits attribute');
    }
  },
  Dial(node, report) {
    const exclusive = node.nouns.find((n) => n.kind === 'Conference' || n.kind === 'Queue');
    if (exclusive !== undefined && node.nouns.length > 1) {
      report.error(`<${exclusive.kind}> must be the only noun in its <Dial>`);
    }
    const callerId = node.attributes.callerId;
    if (
      node.nouns.some((n) => n.kind === 'WhatsApp') &&
      (callerId === undefined || !isWhatsAppAddress(callerId, report.numberCheck))
    ) {
      report.warn(
        "<Dial> to <WhatsApp> needs a callerId of the form 'whatsapp:+E.164' (a registered WhatsApp sender)",
      );
    }
  },
  Enqueue(node, report) {
    if (node.name === undefined && node.attributes.workflowSid === undefined) {
      report.error('<Enqueue> requires a queue name or a workflowSid attribute');
    }
  },
  Sip(node, report) {
    if (node.uri === undefined && node.uris.length === 0)
      report.error('<Sip> requires a sip: URI or <Uri> children');
    if (node.uri !== undefined && node.uris.length > 0)
      report.error('<Sip> cannot have both a URI text and <Uri> children');
  },
  Connect(node, report) {
    if (node.noun.kind === 'Stream') requireStreamUrl(node.noun, 'Connect', report);
  },
  Start(node, report) {
    for (const noun of node.nouns)
      if (noun.kind === 'Stream') requireStreamUrl(noun, 'Start', report);
  },
};
