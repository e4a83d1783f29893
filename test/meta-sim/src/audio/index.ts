export * from './tone';
export * from './analysis';
export * from './wav';
export * from './rfc4733';
