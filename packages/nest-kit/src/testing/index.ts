export * from './database';
export * from './tcp-proxy';
export * from './schema-suite';
export * from './built-service';
export * from './nats-namespace';
export * from './deferred';
