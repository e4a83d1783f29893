export * from './database';
export * from './tcp-proxy';
export * from './services';
export * from './schema-suite';
