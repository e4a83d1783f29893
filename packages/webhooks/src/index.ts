export * from './address-policy';
export * from './connection-overrides';
export * from './customer-url';
export * from './safe-fetch';
export * from './safe-http';
export * from './signature';
export * from './twilio-http-client';
