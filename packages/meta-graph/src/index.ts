export * from './signature/hub-signature';
export * from './webhooks/schemas';
export * from './webhooks/events';
export * from './client/errors';
export * from './client/types';
export * from './client/graph-client';
