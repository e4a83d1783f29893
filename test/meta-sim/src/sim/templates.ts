import { GraphErrors } from '../graph/graph-error';
import { templateWebhook } from '../webhooks/payloads';
import type { SimContext } from './context';
import { graphObjectId } from './ids';
import { SimError } from './sim-error';
import type { BusinessRecord } from './types';

export const TEMPLATE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'PAUSED', 'DISABLED'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;

/** A WhatsApp message template of a WABA, as `GET /{WABA_ID}/message_templates` shows it. */
export interface TemplateRecord {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: string;
  status: TemplateStatus;
  /** Meta's `rejected_reason` (NONE unless rejected). */
  rejectedReason: string;
  components: unknown[];
  createdAt: string;
}

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Meta's message templates: created `PENDING` by `POST /{WABA_ID}/message_templates`
 * (checked as Meta checks the request's shape), reviewed through the control API, each
 * review announced to the WABA's webhook (`message_template_status_update`).
 */
export class MessageTemplates {
  private readonly templates = new Map<string, TemplateRecord>();

  constructor(
    private readonly ctx: SimContext,
    private readonly businessesOfWaba: (wabaId: string) => BusinessRecord[],
  ) {}

  create(business: BusinessRecord, body: Body): TemplateRecord {
    const name = body.name;
    if (typeof name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(name))
      throw GraphErrors.invalidParameter(
        'name is required: lowercase letters, digits and underscores, at most 512 characters.',
      );
    const language = body.language;
    if (typeof language !== 'string' || !/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/.test(language))
      throw GraphErrors.invalidParameter('language is required, e.g. en or pt_BR.');
    const category = body.category;
    if (
      typeof category !== 'string' ||
      !(TEMPLATE_CATEGORIES as readonly string[]).includes(category)
    )
      throw GraphErrors.invalidParameter(
        `category must be one of ${TEMPLATE_CATEGORIES.join(', ')}.`,
      );
    const components = body.components;
    if (!Array.isArray(components) || !components.some((c) => isObject(c) && c.type === 'BODY'))
      throw GraphErrors.invalidParameter('components must hold a BODY component.');
    for (const t of this.templates.values()) {
      if (t.wabaId === business.wabaId && t.name === name && t.language === language)
        throw GraphErrors.templateExists(name, language);
    }
    const record: TemplateRecord = {
      id: graphObjectId(),
      wabaId: business.wabaId,
      name,
      language,
      category,
      status: 'PENDING',
      rejectedReason: 'NONE',
      components,
      createdAt: this.ctx.clock.iso(),
    };
    this.templates.set(record.id, record);
    this.ctx.logger.info('template submitted', { wabaId: business.wabaId, name, language });
    return record;
  }

  list(wabaId: string, name: string | null): TemplateRecord[] {
    return [...this.templates.values()].filter(
      (t) => t.wabaId === wabaId && (name === null || t.name === name),
    );
  }

  all(): TemplateRecord[] {
    return [...this.templates.values()];
  }

  get(id: string): TemplateRecord | undefined {
    return this.templates.get(id);
  }

  find(wabaId: string, name: string, language: string): TemplateRecord | undefined {
    return [...this.templates.values()].find(
      (t) => t.wabaId === wabaId && t.name === name && t.language === language,
    );
  }

  /**
   * Meta's review (or a later pause, disable, reinstatement): the template takes the
   * status and the WABA's webhook is told, signed like every other webhook.
   */
  setStatus(id: string, status: TemplateStatus, reason: string | null): TemplateRecord {
    const template = this.templates.get(id);
    if (!template) throw new SimError('not_found', `template ${id} not found`);
    template.status = status;
    template.rejectedReason = status === 'REJECTED' ? (reason ?? 'INVALID_FORMAT') : 'NONE';
    const business = this.businessesOfWaba(template.wabaId)[0];
    if (business) {
      this.ctx.webhooks.enqueue(
        business,
        templateWebhook(template.wabaId, this.ctx.clock.unixSeconds(), {
          field: 'message_template_status_update',
          value: {
            event: status,
            message_template_id: Number(template.id),
            message_template_name: template.name,
            message_template_language: template.language,
            reason: status === 'REJECTED' ? template.rejectedReason : (reason ?? 'NONE'),
          },
        }),
        { kind: `templates.status.${status.toLowerCase()}` },
      );
    }
    this.ctx.logger.info('template status set', { id, status });
    return template;
  }

  reset(): void {
    this.templates.clear();
  }
}
