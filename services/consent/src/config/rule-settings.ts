import { DAY_MS, HOUR_MS, type RuleSettings } from '../rules/consent-rules';
import { type ConsentEnv } from './env.schema';

export const RULE_SETTINGS = Symbol('RULE_SETTINGS');

/** The rules' values as the environment sets them. */
export function ruleSettingsFromEnv(env: ConsentEnv): RuleSettings {
  return {
    permissionRequestsPer24h: env.CONSENT_PERMISSION_REQUESTS_PER_24H,
    permissionRequestsPer7d: env.CONSENT_PERMISSION_REQUESTS_PER_7D,
    temporaryGrantMs: env.CONSENT_TEMPORARY_GRANT_HOURS * HOUR_MS,
    connectedCallsPer24h: env.CONSENT_CONNECTED_CALLS_PER_24H,
    missedCallsBeforeReprompt: env.CONSENT_MISSED_CALLS_BEFORE_REPROMPT,
    missedCallsBeforeRevoke: env.CONSENT_MISSED_CALLS_BEFORE_REVOKE,
    sanctions: {
      callingCodes: env.CONSENT_SANCTIONED_CALLING_CODES,
      bsuidCountries: env.CONSENT_SANCTIONED_BSUID_COUNTRIES,
    },
  };
}

export { DAY_MS };
